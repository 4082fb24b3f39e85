import { embeddedMarkdown, runEmbeddedBench } from './embedded';
import { Progress } from './progress';
runEmbeddedBench({ warmupSeconds: 1, seconds: 5, concurrency: Number(process.argv[2] ?? 200), latencySamples: 100 }, new Progress(false)).then((r) => console.log(embeddedMarkdown(r)));
