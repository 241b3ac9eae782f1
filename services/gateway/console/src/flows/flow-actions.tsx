import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/http.ts";
import type { Flow, FlowStatus } from "../api/types.ts";
import { flowKey } from "../api/watch-flow.ts";
import { ErrorBox } from "../ui/states.tsx";

type Action = "pause" | "resume" | "cancel" | "retry";

// The statuses the API allows each action in (docs/api.md); it refuses the rest with 409 anyway.
const ALLOWED: Record<Action, FlowStatus[]> = {
  pause: ["pending", "running"],
  resume: ["paused"],
  cancel: ["pending", "running", "awaiting_input", "paused"],
  retry: ["failed"],
};

/** The actions the flow's status allows. */
export function allowedActions(flow: Flow): Action[] {
  return (Object.keys(ALLOWED) as Action[]).filter((action) => ALLOWED[action].includes(flow.status));
}

/** Pause, resume, cancel and retry, each offered only where the flow's status allows it. */
export function FlowActions({ flow, canWrite }: { flow: Flow; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (action: Action) => api<{ flow: Flow }>(`/v1/flows/${flow.id}/${action}`, { method: "POST" }),
    onSuccess: ({ flow: updated }) => {
      queryClient.setQueryData(flowKey(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: ["flows"] });
    },
  });
  if (!canWrite) return null;
  const actions = allowedActions(flow);
  if (!actions.length) return null;
  return (
    <div className="actions">
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          className={action === "cancel" ? "secondary danger" : "secondary"}
          disabled={mutation.isPending}
          onClick={() => mutation.mutate(action)}
          aria-label={`${action[0]?.toUpperCase()}${action.slice(1)} flow ${flow.name || flow.id}`}
        >
          {action[0]?.toUpperCase()}
          {action.slice(1)}
        </button>
      ))}
      {mutation.error && <ErrorBox error={mutation.error} title={`Could not ${mutation.variables}`} />}
    </div>
  );
}
