import { useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, useId, useState } from "react";
import { canWrite, type Session } from "../api/session.ts";
import { type UploadProgress, uploadFlow } from "../api/upload.ts";
import { flowKey } from "../api/watch-flow.ts";
import { useRouter } from "../router.tsx";
import { formatBytes } from "../ui/format.ts";
import { ErrorBox } from "../ui/states.tsx";
import { readColumnSamples, saveColumnSamples } from "./column-samples.ts";

/** Drop an inventory (and optionally its connections), name it, watch the bytes go up. */
export function NewFlowScreen({ session }: { session: Session }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [inventory, setInventory] = useState<File | null>(null);
  const [connections, setConnections] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (!canWrite(session)) {
    return (
      <section aria-labelledby="new-title">
        <h1 id="new-title">New flow</h1>
        <p className="notice">
          Your roles ({session.roles.join(", ") || "none"}) only read: creating a flow needs analyst.
        </p>
      </section>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!inventory) {
      setError(new Error("choose an inventory file (CSV or JSON) first"));
      return;
    }
    setBusy(true);
    setError(null);
    setProgress({ loaded: 0, total: inventory.size + (connections?.size ?? 0) });
    try {
      const samples = readColumnSamples(inventory).catch(() => ({}));
      const flow = await uploadFlow({ name: name.trim(), inventory, connections }, setProgress);
      saveColumnSamples(flow.id, await samples);
      queryClient.setQueryData(flowKey(flow.id), flow);
      void queryClient.invalidateQueries({ queryKey: ["flows"] });
      router.navigate(`/flows/${flow.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title">New flow</h1>
      <form className="card upload" onSubmit={submit}>
        <label htmlFor="flow-name">Name</label>
        <input id="flow-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        <FileDrop
          label="Inventory (CSV or JSON)"
          accept=".csv,.json,.txt,text/csv,application/json"
          file={inventory}
          onFile={setInventory}
          required
        />
        <FileDrop
          label="Network connections (optional CSV)"
          accept=".csv,text/csv"
          file={connections}
          onFile={setConnections}
        />
        {progress && (
          <div className="upload-progress">
            <progress max={progress.total || 1} value={progress.loaded} aria-label="Upload progress" />
            <span role="status" aria-live="polite">
              {progress.loaded >= progress.total && busy
                ? `Uploaded ${formatBytes(progress.total)}; the gateway is reading it…`
                : `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} sent`}
            </span>
          </div>
        )}
        {error != null && <ErrorBox error={error} title="The upload was refused" />}
        <button type="submit" disabled={busy}>
          {busy ? "Uploading…" : "Upload and start"}
        </button>
      </form>
    </section>
  );
}

function FileDrop(props: {
  label: string;
  accept: string;
  file: File | null;
  onFile: (file: File | null) => void;
  required?: boolean;
}) {
  const id = useId();
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) props.onFile(file);
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping is a pointer shortcut; the file input inside is the keyboard path
    <div
      className={`drop${over ? " over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="file"
        accept={props.accept}
        required={props.required}
        onChange={(e) => props.onFile(e.target.files?.[0] ?? null)}
      />
      <span className="muted">
        {props.file ? `${props.file.name}, ${formatBytes(props.file.size)}` : "drop a file here or choose one"}
      </span>
    </div>
  );
}
