"""The official Durable Task Python SDK worker (durabletask from PyPI, unchanged) as its own process,
for the gRPC benchmark: serves PyHelloSequence5 and its activity at HOST:PORT (argv[1]) and prints
`ready` once started. Stops on SIGTERM."""
import signal
import sys
import threading

from durabletask import task, worker


# The SDK registers functions under their own names: these are the names the benchmark starts.
def PySayHello(ctx: task.ActivityContext, name: str) -> str:  # noqa: N802
    return f"Hello {name}!"


def PyHelloSequence5(ctx: task.OrchestrationContext, _):  # noqa: N802
    out = []
    for city in ["Tokyo", "Seattle", "London", "Paris", "Cairo"]:
        out.append((yield ctx.call_activity(PySayHello, input=city)))
    return out


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with worker.TaskHubGrpcWorker(host_address=sys.argv[1]) as w:
        w.add_orchestrator(PyHelloSequence5)
        w.add_activity(PySayHello)
        w.start()
        print("ready", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
