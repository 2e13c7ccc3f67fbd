#pragma once

class QTableView;

namespace amalgam {

/** Sizes a short table to its rows: its height shows every row and no part of one, up to
 *  `maxRows` (then it scrolls a whole row at a time), and follows the model as rows come and
 *  go, so a layout never cuts a row in half or leaves a grey gap under the last one. */
void fitHeightToRows(QTableView* table, int maxRows);

/** Columns as wide as their contents, with the width left over shared among them, so the
 *  table uses its whole width; it scrolls sideways only when the contents need more. */
void fillWidth(QTableView* table);

}  // namespace amalgam
