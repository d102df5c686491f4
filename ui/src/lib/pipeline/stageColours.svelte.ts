// The colours an Administrator gave the stages (Settings → Pipeline), for the views that draw stages without
// reading the pipeline's configuration themselves (velocity, stage history): one stage, one colour everywhere.
import { backend } from '../api';
import type { StageConfig } from '../types';

class StageColours {
  byStage = $state<Record<string, string>>({});
  private asked = false;

  /** Reads the configured colours once per session (a failure leaves the palette's). */
  ensure(): void {
    if (this.asked) return;
    this.asked = true;
    backend()
      .pipelineConfig()
      .then((c) => this.set(c.stages))
      .catch(() => {
        this.asked = false;
      });
  }

  /** The stages as just read or saved. */
  set(stages: readonly StageConfig[]): void {
    this.byStage = Object.fromEntries(stages.map((s) => [s.key, s.colour]));
    this.asked = true;
  }

  reset(): void {
    this.byStage = {};
    this.asked = false;
  }
}

export const stageColours = new StageColours();
