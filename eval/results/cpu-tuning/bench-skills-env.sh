# Sourced by skills-scale.sh and pool-int8.sh (after `cd "$root"`): the setup their bench-server runs
# share. A fixed Java heap, touched at start: the heap then weighs the same in every run (however
# much garbage loading the skills makes), and the RSS slope over the runs is the native memory a
# skill adds (pool embeddings, adapter weights). $cache keeps the synthetic skills' pool encodings
# between runs; $one is a skills folder holding only blended_skill_talk and its base (removed on exit).
export JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}"
cache="${CACHE_DIR:-.cache/bench-skills-scale}"
one="$(mktemp -d)"
trap 'rm -rf "$one"' EXIT
ln -s "$root/skills/blended_skill_talk" "$root/skills/adahit_base" "$one/"
