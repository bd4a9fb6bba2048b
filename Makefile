# Loomgate front door. Everything goes through the Maven wrapper with a JDK >= 21 found by bin/find-java.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MVN := bin/mvn-jdk

.PHONY: help run build test test-ansible deps bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

build: ## compile and package every module (no tests)
	@$(MVN) -q -B -DskipTests package

# bin/ commands build the jars they need themselves (bin/lib/ensure-built.sh), so make adds no rule for them.
run: ## run one node on :8080 (admin :9080) with demo upstreams on :9001/:9002
	@bin/run-demo

deps: ## install missing Debian packages the tests use (needs root)
	@scripts/install-deps.sh

test: check-paths test-scripts deps test-ansible ## run the whole test suite (starts and stops its own servers)
	@$(MVN) -B verify

.PHONY: check-paths test-scripts
check-paths: ## fail on tracked files naming places outside the repository or one machine's paths
	@scripts/check-no-outside-paths.sh

test-scripts: ## bash tests of the repository scripts (each proves its check can fail)
	@scripts/tests/check-no-outside-paths.test.sh
	@scripts/tests/ensure-built.test.sh
	@scripts/tests/alert-rules.test.sh
	@terraform/tests/check-terraform.test.sh

# Not part of test: it builds the gateway twice in a temporary copy (30-90 s on this shared machine);
# test-scripts checks the same helper with a fake Maven in under a second.
.PHONY: test-first-run
test-first-run: ## bin/loomgate in a fresh copy without target/: builds on first use, rebuilds when stale
	@scripts/tests/bin-first-run.test.sh

test-ansible: deps ## render every cluster config with Ansible; validators, ansible-lint, syntax-check
	@ansible/tests/render-test.sh
	@ansible/tests/terraform-inventory.test.sh
	@ansible/tests/preflight.test.sh

# Not part of test: with xz each package took 2-11 min on this shared machine (load 10-30);
# LOOMGATE_DEB_COMPRESS=gzip make test-dist took 2.5 min in all (load about 10).
.PHONY: dist test-dist test-terraform
dist: ## Debian packages in target/dist/: the gateway (own jlink'ed runtime) and the Consul stand-in test fixture
	@packaging/build-deb.sh

test-dist: deps ## build the .debs, then structure, check's failure proof, lintian, install/run/purge in a throwaway root
	@packaging/tests/test-dist.sh

# Not part of test: boots Debian 12 machines (systemd-nspawn, root) and runs site.yml on them, then a rolling
# upgrade and a rollback under load; see docs/DEPLOY.md for how long each takes. Skips with the reason when
# machines cannot boot here (no root, no systemd-nspawn); VM_CLUSTER_REQUIRE=1 makes that a failure.
.PHONY: vm-cluster vm-cluster-test vm-cluster-down
vm-cluster: deps ## site.yml on 10 booted Debian 12 machines: empty -> serving via the VIP, idempotence, firewall, upgrade + rollback under load
	@scripts/vm-cluster/vm-cluster.sh --size full $(VM_ARGS)

vm-cluster-test: deps ## the CI-sized vm-cluster run (7 machines: 2 LBs, 2 gateways, 1 Redis, Consul stand-in, monitoring)
	@scripts/vm-cluster/vm-cluster.sh --size ci $(VM_ARGS)

vm-cluster-down: ## remove what a crashed or --keep vm-cluster run left (machines, mounts, namespaces)
	@scripts/vm-cluster/vm-cluster.sh down

test-terraform: ## offline structure check of terraform/ (hcl2json) and its failure proof; also in test-scripts
	@terraform/tests/check-terraform.test.sh

.PHONY: test-slow
test-slow: deps ## the long-running, benchmark-like tests (tag slow) that make test leaves out
	@$(MVN) -B -pl consul-standin,gateway -am verify -Dgroups=slow -DexcludedGroups=none -Dgateway.test.forks=1

bench: deps build ## proxy-overhead benchmark: upstream direct vs Loomgate vs nginx, with wrk
	@bin/bench-proxy $(BENCH_ARGS)

.PHONY: bench-tracing
bench-tracing: deps build ## dead-collector cost: the proxy benchmark plus a node with tracing on and its collector down
	@bin/bench-proxy --tracing-dead-collector $(BENCH_ARGS)

.PHONY: bench-upstream-client
bench-upstream-client: deps ## upstream clients: our UpstreamClient vs Helidon WebClient behind the same front door (~1.5 min)
	@bin/bench-upstream-client $(BENCH_ARGS)

.PHONY: bench-ratelimit
bench-ratelimit: deps build ## rate-limit cost: route with a never-hit Redis limit vs without, with wrk
	@bin/bench-ratelimit $(BENCH_ARGS)

.PHONY: bench-async
bench-async: deps build ## async routes: 202/s vs the sync proxy rate of the same origin, completion latency p50/p99 at a fixed rate
	@bin/bench-async $(BENCH_ARGS)

.PHONY: bench-session
bench-session: deps build ## session cost: route with a Redis session vs without, with wrk (goal >= 0.8)
	@bin/bench-session $(BENCH_ARGS)

.PHONY: bench-cache
bench-cache: deps build ## response cache: cross-node staleness after a purge (p50/p99/max over 1,000 purges, goal p99 <= 50 ms); cached 1 KB vs nginx proxy_cache (goal >= 0.8, L1 hits never read Redis)
	@bin/bench-cache $(BENCH_ARGS)

.PHONY: bench-latency bench-memory bench-scale bench-security
bench-latency: deps build ## latency at 50 % of nginx's max (open model): p50/p99/p99.9 added by Loomgate vs nginx
	@bin/bench-latency $(BENCH_ARGS)

bench-memory: deps build ## RSS with 10,000 idle keep-alive clients + 1,000 req/s (goal <= 300 MB), nginx beside
	@bin/bench-memory $(BENCH_ARGS)

bench-security: deps build ## JWT route vs no auth (goal >= 0.9), TLS listener vs plain, beside nginx with TLS, a token-header control (~5 min)
	@bin/bench-security $(BENCH_ARGS)

bench-scale: deps build ## scale curves: req/s and p99 vs routes, endpoints, connections, body size; Loomgate and nginx
	@bin/bench-scale $(BENCH_ARGS)

.PHONY: bench-routes
bench-routes: deps ## route matching and snapshot build+swap over 10,000 routes (JMH), against the goals (~2 min)
	@bin/bench-routes $(BENCH_ARGS)

.PHONY: bench-consul
bench-consul: deps build ## route propagation via Consul KV: push -> all 3 nodes serve it, p50/p99 over 50 pushes (BENCH_ARGS="--routes 10000": a 10k-route table)
	@bin/bench-consul $(BENCH_ARGS)

# Not part of test: starts the whole loopback cluster with Prometheus and Alertmanager (about 2 min).
.PHONY: test-dashboard
test-dashboard: deps build ## Grafana dashboard proof: a cluster with traffic, every panel's query returns data from Prometheus
	@$(MVN) -B -pl chaos-harness -am verify -Dgroups=slow -DexcludedGroups=none -Dtest=DashboardQueriesTest \
		-Dsurefire.failIfNoSpecifiedTests=false

.PHONY: cluster cluster-netns
# CLUSTER_ARGS=--secure-backends (or LOOMGATE_SECURE_BACKENDS=1): Redis/Sentinel TLS + AUTH/ACL, Consul HTTPS + token.
# CLUSTER_ARGS=--secure (or LOOMGATE_SECURE=1): also TLS at the front and routes behind JWT and API-key auth.
cluster: deps ## local cluster on 127.0.0.1: HAProxy, 3 nodes, Redis+Sentinel, Consul stand-in, Prometheus (Ctrl-C stops)
	@bin/chaos cluster up $(CLUSTER_ARGS)

cluster-netns: deps ## the same in network namespaces with 2 HAProxy + keepalived and a VIP (root; Ctrl-C stops)
	@bin/chaos cluster up --netns $(CLUSTER_ARGS)

clean: ## remove build output
	@$(MVN) -q -B clean

.PHONY: test-logs
test-logs: deps build ## central logs in the namespace cluster (root, ~90 s): request id -> central log, no secret in any log
	@$(MVN) -B -pl chaos-harness -am test -Dgroups=slow -DexcludedGroups=none -Dtest=CentralLogsTest -Dsurefire.failIfNoSpecifiedTests=false

.PHONY: test-secure-netns
test-secure-netns: deps build ## the namespace cluster with --secure (root, 40-110 s): TLS on the VIP, JWT + API-key routes, TLS backends, VIP failover
	@$(MVN) -B -pl chaos-harness -am test -Dgroups=slow -DexcludedGroups=none -Dtest=SecureNetnsClusterTest -Dsurefire.failIfNoSpecifiedTests=false

# Not part of test: a whole loopback cluster plus Chromium (about a minute on this shared machine).
.PHONY: test-ui
test-ui: deps build ## the cluster page (/ui) in headless Chromium on the loopback cluster; screenshots in chaos-harness/target/
	@$(MVN) -B -pl chaos-harness -am test -Dgroups=ui -DexcludedGroups=none -Dtest=ClusterPageBrowserTest -Dsurefire.failIfNoSpecifiedTests=false

.PHONY: aot-startup
aot-startup: deps build ## a node's time to first request and first-second latency without/with the JDK AOT cache (~2 min)
	@bin/chaos aot-startup $(AOT_ARGS)

.PHONY: chaos chaos-junit
chaos: deps build ## every chaos scenario (namespace mode as root), criteria table, report in chaos-harness/target/chaos/
	@bin/chaos scenarios $(CHAOS_ARGS)

chaos-junit: deps build ## the chaos scenarios as JUnit tests (tag chaos, full length)
	@$(MVN) -B -pl chaos-harness test -Dgroups=chaos -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false

# Not part of test: Gatling simulations (src/test/java of load-tests; make test only compiles them).
# SIM=steady|spike|stress|soak-short, TARGET=cluster|node, more options in LOAD_ARGS (make load-help).
SIM ?=
TARGET ?= cluster
.PHONY: load load-help
load: deps build ## Gatling load simulation: make load SIM=steady|spike|stress|soak-short [TARGET=cluster|node] [LOAD_ARGS=...]
	@if [ -z "$(SIM)" ]; then echo "make load: set SIM=steady|spike|stress|soak-short (make load-help)" >&2; exit 2; fi
	@bin/load-test --sim $(SIM) --target $(TARGET) $(LOAD_ARGS)

load-help: ## the options, defaults and goals of make load
	@bin/load-test --help
