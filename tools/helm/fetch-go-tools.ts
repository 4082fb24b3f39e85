// Builds helm and kubeconform into .cache/go/bin (CI runs it before the tests, so the chart's test
// does not spend its time building them).
import { ensureGoTools, goTools } from './go-tools';

const started = Date.now();
const paths = ensureGoTools((line) => console.log(line));
console.log(
  `helm ${goTools.helm.version} and kubeconform ${goTools.kubeconform.version} are in ${paths.helm.replace(/\/helm$/, '')} (${Math.round((Date.now() - started) / 1000)} s)`,
);
