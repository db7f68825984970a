#!/bin/sh
# scores.sh: the eval blocks of models/README.md's "Scores" section, as
# they are for the shipped models: topic and stance on dev and on the seed
# gold (when ../shared is there).  usage: models/scores.sh > /tmp/scores.md
set -eu
cd "$(dirname "$0")/.."
K=${KHABAR:-build/khabar}
seeds=../shared/data/seeds/sentences.tsv
for m in topic stance; do
  echo "### $(echo $m | sed 's/^./\U&/') model, dev"
  echo '```'; $K eval --model $m --data models/corpus/dev.tsv; echo '```'; echo
  if [ -f "$seeds" ]; then
    echo "### $(echo $m | sed 's/^./\U&/') model, seed gold (\`../shared/data/seeds/sentences.tsv\`, $(($(wc -l < $seeds) - 1)) sentences of five real articles)"
    echo '```'; $K eval --model $m --data "$seeds"; echo '```'; echo
  fi
done
