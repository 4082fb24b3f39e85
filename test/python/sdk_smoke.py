"""The official Durable Task Python SDK (durabletask from PyPI, unchanged) against Durable's gRPC
endpoint: its worker runs a sequence and a fan-out/fan-in, its client starts and awaits them.
Usage: python sdk_smoke.py HOST:PORT [TASK_HUB]: with a task hub, both send it as the `taskhub` call
metadata, as the Durable Task Scheduler's packages do. Prints one JSON line with the outputs."""
import json
import sys

from durabletask import client, task, worker


def hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def square(ctx: task.ActivityContext, n: int) -> int:
    return n * n


def py_sequence(ctx: task.OrchestrationContext, _):
    out = []
    for city in ["Tokyo", "Seattle", "London"]:
        out.append((yield ctx.call_activity(hello, input=city)))
    return out


def py_fan_out(ctx: task.OrchestrationContext, n: int):
    results = yield task.when_all([ctx.call_activity(square, input=i + 1) for i in range(n)])
    return sum(results)


def main() -> None:
    address = sys.argv[1]
    metadata = [("taskhub", sys.argv[2])] if len(sys.argv) > 2 else None
    with worker.TaskHubGrpcWorker(host_address=address, metadata=metadata) as w:
        w.add_orchestrator(py_sequence)
        w.add_orchestrator(py_fan_out)
        w.add_activity(hello)
        w.add_activity(square)
        w.start()
        c = client.TaskHubGrpcClient(host_address=address, metadata=metadata)
        outputs = {}
        for name, fn, arg in [("sequence", py_sequence, None), ("fanOut", py_fan_out, 20)]:
            instance_id = c.schedule_new_orchestration(fn, input=arg)
            state = c.wait_for_orchestration_completion(instance_id, timeout=60)
            if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
                raise SystemExit(f"{name} did not complete: {state}")
            outputs[name] = json.loads(state.serialized_output)
    print(json.dumps(outputs), flush=True)


if __name__ == "__main__":
    main()
