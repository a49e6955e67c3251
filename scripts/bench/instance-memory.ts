/**
 * Node sizes V8's heap from the memory limit of its cgroup, not from the machine's RAM
 * (nodejs/node src/api/environment.cc, SetIsolateCreateParamsForNode; nodejs/node#27508), and V8 lets the old
 * generation grow further between collections when that limit is large (v8 src/heap/heap-controller.cc,
 * MaxGrowingFactor). On a Flex Consumption instance the limit is the instance memory, so the host's peak memory
 * there depends on the instance size; on a development machine with tens of GB the same process peaks higher.
 *
 * The bench reproduces an instance's limit with the node options that give the same heap. Measured with Node 20.20
 * under a cgroup memory limit of each size: `v8.getHeapStatistics().heap_size_limit` was 1,048 MB at 2,048 MB and
 * 2,096 MB at 4,096 MB, the same as with these options on an unconstrained machine.
 */
const heapOptionsByInstanceMemory: Record<number, string> = {
  2048: '--max-old-space-size=1024 --max-semi-space-size=8',
  4096: '--max-old-space-size=2048 --max-semi-space-size=16',
};

/** The Flex Consumption instance sizes infra/main.bicep allows (`instanceMemoryMB`). */
export const instanceMemorySizes = Object.keys(heapOptionsByInstanceMemory).map(Number);

export function heapOptionsForInstance(instanceMemoryInMb: number): string {
  const options = heapOptionsByInstanceMemory[instanceMemoryInMb];
  if (!options) {
    throw new Error(
      `No heap sizing known for ${instanceMemoryInMb} MB; use one of ${instanceMemorySizes.join(', ')}.`,
    );
  }
  return options;
}
