// Offline check of the manifests in deploy/kubernetes, run by .ci/run:
//
//   cd deploy/kubernetes/validate && npm ci && node validate.mjs [CONF_OUT]
//
// 1. Schema: every document against the Kubernetes OpenAPI schema of its
//    apiVersion and kind, as compiled into ajv validators by kubernetes-models
//    (types, required fields, enums, formats such as quantities and ports).
// 2. Unknown fields: the same documents as TypeScript object literals typed with
//    kubernetes-models' declarations, compiled with tsc, whose excess-property
//    check rejects a misspelt field (the schemas allow unknown fields, the API
//    server drops them silently).
// 3. What the deployment relies on (docs/scaling.md): kustomization.yaml lists
//    every manifest; probes on the location the ConfigMap's configuration
//    answers; the ConfigMap mounted as a whole directory at /etc/portico with
//    PORTICO_WATCH_CONFIG=on; a LoadBalancer Service with
//    externalTrafficPolicy: Local; a PodDisruptionBudget that selects the pods.
// With CONF_OUT, writes the ConfigMap's nginx.conf there, for `portico -t`.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import ts from "typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.dirname(here);
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

// --- the documents ------------------------------------------------------------
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
const docs = [];
let kustomization = null;
for (const file of files) {
  for (const parsed of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
    if (parsed.errors.length > 0) {
      problem(file, parsed.errors.map((e) => e.message).join("; "));
      continue;
    }
    const doc = parsed.toJSON();
    if (doc === null) {
      continue;
    }
    if (doc.kind === "Kustomization") {
      kustomization = { file, doc };
    } else {
      docs.push({ file, doc, where: `${file} ${doc.kind}/${doc.metadata?.name}` });
    }
  }
}

// apiVersion "v1" is kubernetes-models/v1, "apps/v1" kubernetes-models/apps/v1
const modulePath = (doc) => `kubernetes-models/${doc.apiVersion}/${doc.kind}`;

// --- 1. schema --------------------------------------------------------------------
for (const { doc, where } of docs) {
  let Model;
  try {
    Model = (await import(modulePath(doc)))[doc.kind];
  } catch (e) {
    problem(where, `no schema for ${doc.apiVersion} ${doc.kind}`);
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    problem(where, String(e.message ?? e));
  }
}

// --- 2. unknown fields ------------------------------------------------------------
const work = fs.mkdtempSync(path.join(os.tmpdir(), "portico-k8s-"));
try {
  const source = path.join(here, `.check-${process.pid}.ts`); // beside node_modules, for module resolution
  const lines = [];
  const where = [];
  docs.forEach(({ doc }, i) => {
    lines.push(`import type { I${doc.kind} as T${i} } from "${modulePath(doc)}";`);
  });
  docs.forEach(({ doc }, i) => {
    where[lines.length] = docs[i].where;
    lines.push(`export const d${i}: T${i} = ${JSON.stringify(doc)};`);
  });
  fs.writeFileSync(source, lines.join("\n") + "\n");
  try {
    const program = ts.createProgram([source], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      outDir: work,
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
      const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
      problem(where[line] ?? "typescript", text);
    }
  } finally {
    fs.rmSync(source, { force: true });
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

// --- 3. what the deployment relies on ---------------------------------------------
const find = (kind) => docs.filter((d) => d.doc.kind === kind);
const [deployment] = find("Deployment");
const [configMap] = find("ConfigMap");
const [service] = find("Service");
const [pdb] = find("PodDisruptionBudget");
if (!deployment || !configMap || !service || !pdb) {
  problem("deploy/kubernetes", "needs a Deployment, a ConfigMap, a Service and a PodDisruptionBudget");
} else {
  if (!kustomization) {
    problem("kustomization.yaml", "missing");
  } else {
    const listed = [...kustomization.doc.resources].sort();
    const manifests = files.filter((f) => f !== kustomization.file);
    if (JSON.stringify(listed) !== JSON.stringify(manifests)) {
      problem(kustomization.file, `resources ${listed} are not the manifests ${manifests}`);
    }
  }
  const pod = deployment.doc.spec.template;
  const labels = pod.metadata.labels;
  const selects = (selector) => Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const [container] = pod.spec.containers;
  const conf = configMap.doc.data["nginx.conf"] ?? "";
  for (const probe of ["readinessProbe", "livenessProbe"]) {
    const p = container[probe]?.httpGet?.path;
    if (!p) {
      problem(deployment.where, `${probe} is not an HTTP GET`);
    } else if (!conf.includes(`location = ${p} {`)) {
      problem(deployment.where, `${probe} asks ${p}, which the ConfigMap's nginx.conf does not answer`);
    }
  }
  const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === "/etc/portico");
  const volume = (pod.spec.volumes ?? []).find((v) => v.name === mount?.name);
  if (!mount || mount.subPath || volume?.configMap?.name !== configMap.doc.metadata.name) {
    problem(deployment.where, "the ConfigMap must be mounted as the directory /etc/portico (no subPath: the kubelet does not update those)");
  }
  if (!(container.env ?? []).some((e) => e.name === "PORTICO_WATCH_CONFIG" && e.value === "on")) {
    problem(deployment.where, "PORTICO_WATCH_CONFIG=on is not set: a ConfigMap change would need a rollout");
  }
  if (/^\s*daemon\s/m.test(conf)) {
    problem(configMap.where, "\"daemon\" must not be set: the image's command line sets \"daemon off\"");
  }
  if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) {
    problem(deployment.where, "resource requests (docs/scaling.md) are missing");
  }
  if (service.doc.spec.type !== "LoadBalancer" || service.doc.spec.externalTrafficPolicy !== "Local") {
    problem(service.where, "must be type LoadBalancer with externalTrafficPolicy: Local");
  }
  if (!selects(service.doc.spec.selector ? { matchLabels: service.doc.spec.selector } : {})) {
    problem(service.where, "does not select the Deployment's pods");
  }
  if (!selects(pdb.doc.spec.selector) || !selects(deployment.doc.spec.selector)) {
    problem(pdb.where, "the PodDisruptionBudget or the Deployment does not select the pods");
  }
  if (process.argv[2]) {
    fs.writeFileSync(process.argv[2], conf);
  }
}

if (problems.length > 0) {
  for (const p of problems) {
    console.error(`invalid: ${p}`);
  }
  process.exit(1);
}
console.log(`deploy/kubernetes: ${docs.length} manifests valid (schemas, no unknown fields, probes, ConfigMap, Service, PDB)`);
