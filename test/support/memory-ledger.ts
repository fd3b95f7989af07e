import type {
  ClaimAnswer,
  EffectClaim,
  EffectLedger,
  EffectRecord,
  SettledEffect,
} from '../../lambda/shared/exactly-once';

/**
 * An {@link EffectLedger} in memory with the conditions of the DynamoDB one (EffectStore), for the
 * helper's unit and property tests; the integration tests hold the two to the same behaviour.
 */
export class MemoryLedger implements EffectLedger<string> {
  public readonly records = new Map<string, EffectRecord>();

  async claim(key: string, claim: EffectClaim, nowMs: number, takeOver: boolean): Promise<ClaimAnswer> {
    const existing = this.records.get(key);
    const mine = existing?.state === 'in-progress' && existing.token === claim.token;
    const free =
      existing === undefined ||
      mine ||
      (takeOver &&
        existing.state === 'in-progress' &&
        (existing.owner === claim.owner || existing.expiresAtMs < nowMs));
    if (!free) return { claimed: false, existing };
    this.records.set(key, { state: 'in-progress', at: new Date(nowMs).toISOString(), ...claim });
    return { claimed: true };
  }

  async settle(key: string, token: string, outcome: SettledEffect): Promise<'recorded' | 'claim-lost'> {
    const existing = this.records.get(key);
    if (existing?.state !== 'in-progress' || existing.token !== token) return 'claim-lost';
    this.records.set(key, outcome);
    return 'recorded';
  }

  async release(key: string, token: string): Promise<void> {
    const existing = this.records.get(key);
    if (existing?.state === 'in-progress' && existing.token === token) this.records.delete(key);
  }
}
