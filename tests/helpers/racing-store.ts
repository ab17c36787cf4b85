import type { VehicleAggregate } from '../../services/incident/domain/index.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';

/**
 * A MemoryStore whose next loads can be made to wait for one another, so that two writers decide on the
 * same version of a car (two instances racing; `race()` in domain-steps.ts). Nothing else differs.
 */
export class RacingStore extends MemoryStore {
  private gate: { expected: number; waiting: (() => void)[] } | null = null;

  /** The next `racers` loads return the same version: each waits until all have read. */
  startRace(racers: number): void {
    this.gate = { expected: racers, waiting: [] };
  }

  /** A racer finished without reading (e.g. refused by dedupe): the others need not wait for it. */
  leaveRace(): void {
    if (!this.gate) return;
    this.gate.expected--;
    this.openGateIfFull();
  }

  override async loadVehicle(vin: string): Promise<VehicleAggregate> {
    const aggregate = await super.loadVehicle(vin);
    const gate = this.gate;
    if (gate) {
      await new Promise<void>((resolve) => {
        gate.waiting.push(resolve);
        this.openGateIfFull();
      });
    }
    return aggregate;
  }

  private openGateIfFull(): void {
    const gate = this.gate;
    if (!gate || gate.waiting.length < gate.expected) return;
    this.gate = null;
    for (const go of gate.waiting) go();
  }
}
