// Checks Kubernetes manifests against the API's own schemas (kubernetes-models: each field's type,
// enums, formats and required fields), one line per object; exits 1 if any fails. It does not know
// fields the API lacks: a misspelt optional field passes, so ImageDeployTest also checks the fields
// the campaign depends on.   usage: node validate.mjs FILE.yaml...
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Job } from "kubernetes-models/batch/v1";
import { PersistentVolumeClaim } from "kubernetes-models/v1";

const models = { "batch/v1 Job": Job, "v1 PersistentVolumeClaim": PersistentVolumeClaim };
const firstLine = (message) => String(message).split("\n")[0];
let failed = false;
const fail = (line) => { console.error(line); failed = true; };

for (const file of process.argv.slice(2)) {
  let documents;
  try {
    documents = parseAllDocuments(readFileSync(file, "utf8"));
  } catch (e) {
    fail(`${file}: ${firstLine(e.message)}`);
    continue;
  }
  for (const doc of documents) {
    if (doc.errors.length > 0) {
      fail(`${file}: ${firstLine(doc.errors[0].message)}`);
      continue;
    }
    const object = doc.toJS();
    if (object == null) continue;
    const name = `${object.kind} ${object.metadata?.name}`;
    const Model = models[`${object.apiVersion} ${object.kind}`];
    if (!Model) {
      fail(`${file}: ${name}: no schema here for ${object.apiVersion} ${object.kind} (known: ${Object.keys(models).join(", ")})`);
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`${file}: ${name}: valid`);
    } catch (e) {
      fail(`${file}: ${name}: ${firstLine(e.message)}`);
    }
  }
}
process.exit(failed ? 1 : 0);
