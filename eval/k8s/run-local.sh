#!/usr/bin/env bash
# Runs the commands of eval-indexed-job.yaml as written, on this machine, with local folders standing
# in for the volumes (WORK/pvc/<claimName>; adahit-data is the data folder), in one of two ways:
#   default      the image's /app is WORK/app: bin/entrypoint.sh (docker/), adahit-cli.jar
#                (app/target), skills (the repository's), and every path of a Job's script is mapped
#                (mountPath -> WORK/pvc/<claimName>, /app -> WORK/app)
#   IMAGE=NAME   the scripts run unchanged inside the eval image built by docker/Dockerfile (--target eval)
#                (buildah run, the folders mounted at the Jobs' mountPaths, as the image's user)
# The shards run one after another with JOB_COMPLETION_INDEX = 0..N-1 and the env of their container
# (ConfigMap adahit-eval-run included); the merge starts after shard 0, so it is seen waiting, with a
# stale run folder beside this run's. Then one unsharded eval_model run with the same flags, and the
# metrics of the merged report are compared with it; finally a shard started again in the merged run
# must refuse (exit 3).
#
#   eval/k8s/run-local.sh /tmp/eval-k8s                       # 2 shards, convai2, -ne 100
#   SHARDS=3 TASKS=convai2,blended_skill_talk NUM_EXAMPLES=60 eval/k8s/run-local.sh /tmp/eval-k8s
#   IMAGE=localhost/adahit-eval eval/k8s/run-local.sh /tmp/eval-k8s-image
#
# Needs python3 with PyYAML (Debian: python3-yaml) and the fat jar (mvn -B -DskipTests package -pl
# app -am), or buildah and the image.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:?usage: run-local.sh WORK_DIR}"
shards="${SHARDS:-2}"
data="$(cd "${DATA:-$root/../shared/data}" && pwd)"
image="${IMAGE:-}"
jar="$root/app/target/adahit-cli.jar"
buildah=(buildah --storage-driver vfs)
if [[ -z "$image" && ! -f "$jar" ]]; then
  echo "run-local: $jar missing: mvn -B -DskipTests package -pl app -am" >&2; exit 2
fi

rm -rf "$work" && mkdir -p "$work/app/bin" "$work/pvc/adahit-results" "$work/jobs" "$work/single"
work="$(cd "$work" && pwd)"
ln -s "$data" "$work/pvc/adahit-data"
if [[ -z "$image" ]]; then
  ln -s "$jar" "$work/app/adahit-cli.jar"
  export ADAHIT_JAR="$work/app/adahit-cli.jar"   # the eval image's ENV (docker/Dockerfile, target eval)
  ln -s "$root/skills" "$work/app/skills"
  sed "s#/app/#$work/app/#g" "$root/docker/entrypoint.sh" > "$work/app/bin/entrypoint.sh"
  chmod +x "$work/app/bin/entrypoint.sh"
  # the image's ENV (docker/Dockerfile): the CPU tuning library when the build made it, sleeping OpenMP threads
  so="$root/agents/target/native/libadahit_cpu_tuning.so"
  if [[ -f "$so" ]]; then export LD_PRELOAD="$so" GLIBC_TUNABLES=glibc.malloc.hugetlb=1; fi
  export OMP_WAIT_POLICY=PASSIVE
else
  chown 10001:10001 "$work/pvc/adahit-results" "$work/single"   # the pods' fsGroup / runAsUser
fi

# One shell file per Job container: its env as exports, then its script (paths mapped unless IMAGE).
python3 - "$root/eval/k8s/eval-indexed-job.yaml" "$work" "$shards" "${image:+unchanged}" <<'EOF'
import os, re, shlex, sys, yaml
path, work, shards, unchanged = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "unchanged"
docs = [d for d in yaml.safe_load_all(open(path)) if d]
config = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
overrides = {"NUM_SHARDS": shards, "POLL_SECONDS": "2",
             "TASKS": os.environ.get("TASKS", "convai2"), "NUM_EXAMPLES": os.environ.get("NUM_EXAMPLES", "100")}
for job in (d for d in docs if d["kind"] == "Job"):
    spec = job["spec"]
    pod = spec["template"]["spec"]
    (c,) = pod["containers"]
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]}
    mounts = {m["mountPath"]: f'{work}/pvc/{claims[m["name"]]}' for m in c["volumeMounts"]}
    env = {}
    for ref in c.get("envFrom", []):
        env.update(config[ref["configMapRef"]["name"]])
    limits = c["resources"]["limits"]
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
        else:  # resourceFieldRef limits.cpu, divisor 1
            env[e["name"]] = str(limits[e["valueFrom"]["resourceFieldRef"]["resource"].split(".")[1]])
    if "NUM_SHARDS" in env:
        assert str(spec["completions"]) == env["NUM_SHARDS"], "completions != NUM_SHARDS in " + path
    env.update({k: v for k, v in overrides.items() if k in env})
    script = c["args"][0]
    if not unchanged:
        for mount, local in sorted(mounts.items(), key=lambda m: -len(m[0])):
            script = re.sub(re.escape(mount) + r'(?=[/"\s]|$)', local, script)
        script = script.replace("/app/", work + "/app/")
    name = job["metadata"]["name"]
    with open(f"{work}/jobs/{name}.volumes", "w") as f:   # buildah run -v arguments, one a line
        for m in c["volumeMounts"]:
            f.write(f'-v\n{work}/pvc/{claims[m["name"]]}:{m["mountPath"]}{":ro" if m.get("readOnly") else ""}\n')
    with open(f"{work}/jobs/{name}.sh", "w") as f:
        for k, v in env.items():
            f.write(f"export {k}={shlex.quote(v)}\n")
        f.write(script)
    print(name, "->", f"{work}/jobs/{name}.sh", "env", env, "mounts", mounts)
EOF

# run_job NAME INDEX: the Job's script with JOB_COMPLETION_INDEX=INDEX, locally or in the image
run_job() {
  if [[ -z "$image" ]]; then
    JOB_COMPLETION_INDEX=$2 bash "$work/jobs/$1.sh"
  else
    local c status=0
    c=$("${buildah[@]}" from "$image")
    mapfile -t volumes < "$work/jobs/$1.volumes"
    "${buildah[@]}" run --isolation chroot "${volumes[@]}" -v "$work/jobs:/jobs:ro" "$c" \
      -- env JOB_COMPLETION_INDEX="$2" bash "/jobs/$1.sh" || status=$?
    "${buildah[@]}" rm "$c" >/dev/null
    return $status
  fi
}

run_id=$(sed -n 's/^export RUN_ID=//p' "$work/jobs/adahit-eval-shards.sh" | tr -d "'")
results="$work/pvc/adahit-results"
mkdir -p "$results/run-stale" && echo '{"not": "this run"}' > "$results/run-stale/shard-0-of-$shards.json"

echo "== shard 0 of $shards${image:+ (in $image)}"
run_job adahit-eval-shards 0 > "$work/shard-0.log" 2>&1 || { cat "$work/shard-0.log" >&2; exit 1; }
echo "== merge Job started with 1 of $shards shards on disk"
run_job adahit-eval-merge 0 > "$work/merge.log" 2>&1 &
merge=$!
sleep 10
kill -0 "$merge" 2>/dev/null || { echo "run-local: the merge did not wait for the other shards:" >&2; cat "$work/merge.log" >&2; exit 1; }
grep -m1 "1 of $shards shards done" "$work/merge.log"
for ((i = 1; i < shards; i++)); do
  echo "== shard $i of $shards"
  run_job adahit-eval-shards "$i" > "$work/shard-$i.log" 2>&1 || { cat "$work/shard-$i.log" >&2; exit 1; }
done
wait "$merge" || { echo "run-local: merge failed:" >&2; cat "$work/merge.log" >&2; exit 1; }
echo "== merged: $results/$run_id/report.json"

echo "== one unsharded run with the same flags"
single=(eval_model -t '"$TASKS"' -dt '"$DATATYPE"' '${NUM_EXAMPLES:+-ne "$NUM_EXAMPLES"}' --skill '"$SKILL"')
if [[ -z "$image" ]]; then
  printf '%s\n' "$(grep '^export' "$work/jobs/adahit-eval-shards.sh")" \
    "$work/app/bin/entrypoint.sh ${single[*]} --skills-dir $work/app/skills --datapath $data --cache-dir $work/single/cache -rf $work/single/single.json" \
    > "$work/jobs/single.sh"
  bash "$work/jobs/single.sh" > "$work/single.log" 2>&1
else
  printf '%s\n' "$(grep '^export' "$work/jobs/adahit-eval-shards.sh")" \
    "/app/bin/entrypoint.sh ${single[*]} --skills-dir /app/skills --datapath /datasets --cache-dir /single/cache -rf /single/single.json" \
    > "$work/jobs/single.sh"
  c=$("${buildah[@]}" from "$image")
  "${buildah[@]}" run --isolation chroot -v "$work/single:/single" -v "$data:/datasets:ro" -v "$work/jobs:/jobs:ro" "$c" \
    -- bash /jobs/single.sh > "$work/single.log" 2>&1
  "${buildah[@]}" rm "$c" >/dev/null
fi

python3 - "$results/$run_id/report.json" "$work/single/single.json" <<'EOF'
import json, sys
merged, single = (json.load(open(p))["report"] for p in sys.argv[1:])
# wall times, rates and encoder work (each shard encodes the candidates it meets, so shared ones
# twice) depend on how the run was cut, not on the examples: every other number must be equal
varying = ("time", "_per_s", "exps", "encoded_", "cached_", "padded_")
keys = sorted(k for k in single if isinstance(single[k], (int, float)) and not any(v in k for v in varying))
diff = [k for k in keys if merged.get(k) != single[k]]
for k in keys:
    print(f"  {k:40s} merged {merged.get(k)!s:>22s}   single {single[k]!s:>22s}")
if diff:
    sys.exit(f"run-local: merged report differs from the single run in {diff}")
print(f"merged == single run on all {len(keys)} metric keys")
EOF

echo "== a shard started again in the merged run"
code=0
run_job adahit-eval-shards 0 > "$work/shard-again.log" 2>&1 || code=$?
cat "$work/shard-again.log"
[[ $code -eq 3 ]] || { echo "run-local: expected exit 3, got $code" >&2; exit 1; }
echo "run-local: OK ($shards shards, run $run_id${image:+, image $image}, stale folder run-stale ignored)"
