#!/usr/bin/env bash
# Run here before the device check: puts what the GPU machine lacks into ignored folders of
# the project, to be carried there: the nlohmann-json headers (third_party/) and, from
# ../shared/data, the WinoBias test split and the GPT-2 tokenizer (device-data/).
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared/data
mkdir -p third_party device-data/winobias device-data/tokenizers/gpt2
cp -r /usr/include/nlohmann third_party/
cp "$shared"/winobias/*_stereotyped_type[12].txt.test device-data/winobias/
cp "$shared"/tokenizers/gpt2/tokenizer.json device-data/tokenizers/gpt2/
du -sh third_party device-data
