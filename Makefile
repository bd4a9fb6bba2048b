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

# Not part of test: it builds the gateway twice in a temporary copy (30-90 s on this shared machine);
# test-scripts checks the same helper with a fake Maven in under a second.
.PHONY: test-first-run
test-first-run: ## bin/loomgate in a fresh copy without target/: builds on first use, rebuilds when stale
	@scripts/tests/bin-first-run.test.sh

test-ansible: deps ## render every cluster config with Ansible; validators, ansible-lint, syntax-check
	@ansible/tests/render-test.sh

.PHONY: test-slow
test-slow: deps ## the long-running, benchmark-like tests (tag slow) that make test leaves out
	@$(MVN) -B -pl consul-standin,gateway -am verify -Dgroups=slow -DexcludedGroups=none

bench: deps build ## proxy-overhead benchmark: upstream direct vs Loomgate vs nginx, with wrk
	@bin/bench-proxy $(BENCH_ARGS)

.PHONY: bench-tracing
bench-tracing: deps build ## dead-collector cost: the proxy benchmark plus a node with tracing on and its collector down
	@bin/bench-proxy --tracing-dead-collector $(BENCH_ARGS)

.PHONY: bench-ratelimit
bench-ratelimit: deps build ## rate-limit cost: route with a never-hit Redis limit vs without, with wrk
	@bin/bench-ratelimit $(BENCH_ARGS)

.PHONY: bench-consul
bench-consul: deps build ## route propagation via Consul KV: push -> all 3 nodes serve it, p50/p99 over 50 pushes
	@bin/bench-consul $(BENCH_ARGS)

# Not part of test: starts the whole loopback cluster with Prometheus and Alertmanager (about 2 min).
.PHONY: test-dashboard
test-dashboard: deps build ## Grafana dashboard proof: a cluster with traffic, every panel's query returns data from Prometheus
	@$(MVN) -B -pl chaos-harness -am verify -Dgroups=slow -DexcludedGroups=none -Dtest=DashboardQueriesTest \
		-Dsurefire.failIfNoSpecifiedTests=false

.PHONY: cluster cluster-netns
cluster: deps ## local cluster on 127.0.0.1: HAProxy, 3 nodes, Redis+Sentinel, Consul stand-in, Prometheus (Ctrl-C stops)
	@bin/chaos cluster up $(CLUSTER_ARGS)

cluster-netns: deps ## the same in network namespaces with 2 HAProxy + keepalived and a VIP (root; Ctrl-C stops)
	@bin/chaos cluster up --netns $(CLUSTER_ARGS)

clean: ## remove build output
	@$(MVN) -q -B clean

.PHONY: test-logs
test-logs: deps build ## central logs in the namespace cluster (root, ~90 s): request id -> central log, no secret in any log
	@$(MVN) -B -pl chaos-harness -am test -Dgroups=slow -DexcludedGroups=none -Dtest=CentralLogsTest -Dsurefire.failIfNoSpecifiedTests=false

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
