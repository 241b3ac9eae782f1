export interface Wave {
  number: number;
  applicationKeys: string[];
  rationale: string;
}

/** Applications moved per wave at most; a dependency cycle larger than this still moves as one. */
export const MAX_APPLICATIONS_PER_WAVE = 25;

interface Unit {
  keys: string[];
  level: number;
  retire: boolean;
}

/**
 * Dependency-aware waves. An application edge source → target means the source depends on the
 * target, so the target moves first or in the same wave. Cycles (strongly connected components)
 * are collapsed and move together; the condensed graph is layered (level = 1 + deepest
 * dependency) and walked in level order, filling waves of up to 25 moving applications. Retained
 * applications stay out; applications to retire are decommissioned in wave 1 and take none of its
 * 25 places (they move nothing).
 */
export function planWaves(
  strategyOf: ReadonlyMap<string, string>,
  edges: ReadonlyArray<{ sourceKey: string; targetKey: string }>,
): Wave[] {
  const moving = [...strategyOf.keys()]
    .filter((key) => !["retain", "retire"].includes(strategyOf.get(key) ?? ""))
    .sort();
  const retiring = [...strategyOf.keys()].filter((key) => strategyOf.get(key) === "retire").sort();
  const movingSet = new Set(moving);
  const dependsOn = new Map<string, string[]>(moving.map((key) => [key, []]));
  for (const edge of edges) {
    if (edge.sourceKey === edge.targetKey || !movingSet.has(edge.sourceKey) || !movingSet.has(edge.targetKey)) continue;
    dependsOn.get(edge.sourceKey)?.push(edge.targetKey);
  }

  const components = stronglyConnected(moving, dependsOn);
  const componentOf = new Map<string, number>();
  components.forEach((keys, index) => {
    for (const key of keys) componentOf.set(key, index);
  });
  // Tarjan emits a component after every component it depends on: levels resolve in one pass.
  const levels = components.map(() => 0);
  components.forEach((keys, index) => {
    for (const key of keys) {
      for (const dependency of dependsOn.get(key) ?? []) {
        const other = componentOf.get(dependency) as number;
        if (other !== index) levels[index] = Math.max(levels[index] as number, (levels[other] as number) + 1);
      }
    }
  });
  const units: Unit[] = components
    .map((keys, index) => ({ keys: keys.sort(), level: levels[index] as number, retire: false }))
    .sort((a, b) => a.level - b.level || (a.keys[0] as string).localeCompare(b.keys[0] as string));

  const waves: Array<{ keys: string[]; units: Unit[]; moving: number }> = [
    { keys: [...retiring], units: [], moving: 0 },
  ];
  for (const unit of units) {
    let wave = waves[waves.length - 1] as (typeof waves)[number];
    if (wave.moving > 0 && wave.moving + unit.keys.length > MAX_APPLICATIONS_PER_WAVE) {
      wave = { keys: [], units: [], moving: 0 };
      waves.push(wave);
    }
    wave.keys.push(...unit.keys);
    wave.units.push(unit);
    wave.moving += unit.keys.length;
  }
  const waveOf = new Map<string, number>();
  waves.forEach((wave, index) => {
    for (const key of wave.keys) waveOf.set(key, index + 1);
  });
  return waves
    .filter((wave) => wave.keys.length > 0)
    .map((wave, index) => ({
      number: index + 1,
      applicationKeys: wave.keys,
      rationale: waveRationale(wave.units, wave.keys.length - wave.moving, index + 1, dependsOn, waveOf),
    }));
}

function waveRationale(
  units: readonly Unit[],
  retiring: number,
  number: number,
  dependsOn: ReadonlyMap<string, string[]>,
  waveOf: ReadonlyMap<string, number>,
): string {
  let independent = 0;
  let after = 0;
  let together = 0;
  let cycles = 0;
  for (const unit of units) {
    if (unit.keys.length > 1) cycles++;
    for (const key of unit.keys) {
      const waves = (dependsOn.get(key) ?? []).map((dependency) => waveOf.get(dependency) ?? 0);
      if (waves.length === 0) independent++;
      else if (waves.some((wave) => wave === number)) together++;
      else after++;
    }
  }
  const parts: string[] = [];
  if (retiring) parts.push(`${retiring} application(s) to retire are decommissioned first`);
  if (independent) parts.push(`${independent} application(s) depend on no other moving application`);
  if (after) parts.push(`${after} move after the applications they depend on, all in earlier waves`);
  if (together) parts.push(`${together} move together with applications they depend on in this wave`);
  if (cycles) parts.push(`${cycles} dependency cycle(s) kept whole in this wave`);
  return `Wave ${number}: ${parts.join("; ")}.`;
}

/** Tarjan's algorithm, iterative (10,000 applications would overflow a recursive stack). */
function stronglyConnected(nodes: readonly string[], edges: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++] as string;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}
