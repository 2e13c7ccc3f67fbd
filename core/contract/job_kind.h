#pragma once

#include "core/util/name_table.h"

namespace amalgam {

/** What an amalgam-cli worker is asked to do. */
enum class JobKind { MakeModel, Curate, Evaluate, Train, Merge, Generate };
inline constexpr NameTable<JobKind, 6> job_kind_names{"job kind",
                                                      {{{JobKind::MakeModel, "make-model"},
                                                        {JobKind::Curate, "curate"},
                                                        {JobKind::Evaluate, "eval"},
                                                        {JobKind::Train, "train"},
                                                        {JobKind::Merge, "merge"},
                                                        {JobKind::Generate, "generate"}}}};
constexpr const auto& names(JobKind) { return job_kind_names; }

enum class JobState { Queued, Running, Finished, Failed, Cancelled };
inline constexpr NameTable<JobState, 5> job_state_names{"job state",
                                                        {{{JobState::Queued, "queued"},
                                                          {JobState::Running, "running"},
                                                          {JobState::Finished, "finished"},
                                                          {JobState::Failed, "failed"},
                                                          {JobState::Cancelled, "cancelled"}}}};
constexpr const auto& names(JobState) { return job_state_names; }

inline bool ended(JobState s) { return s == JobState::Finished || s == JobState::Failed || s == JobState::Cancelled; }

}  // namespace amalgam
