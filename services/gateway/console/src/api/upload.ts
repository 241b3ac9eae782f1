import { ApiError, apiErrorFrom } from "./api-error.ts";
import { authorization, reportAuthFailure } from "./http.ts";
import type { Flow } from "./types.ts";

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * `POST /v1/flows` as multipart, through XMLHttpRequest because fetch reports no upload
 * progress; the name goes first, as the API requires.
 */
export function uploadFlow(
  input: { name: string; inventory: File; connections?: File | null },
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<Flow> {
  const form = new FormData();
  if (input.name) form.append("name", input.name);
  form.append("file", input.inventory, input.inventory.name);
  if (input.connections) form.append("connections", input.connections, input.connections.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/flows");
    xhr.setRequestHeader("authorization", authorization());
    xhr.responseType = "text";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status === 200 || xhr.status === 201) {
        resolve((body as { flow: Flow }).flow);
        return;
      }
      const error = apiErrorFrom(xhr.status, body);
      reportAuthFailure(error);
      reject(error);
    };
    xhr.onerror = () =>
      reject(new ApiError(0, "UNAVAILABLE", "the upload was interrupted: the gateway cannot be reached"));
    xhr.onabort = () => reject(new ApiError(0, "CANCELLED", "the upload was cancelled"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}
