import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataLoader, LoaderState } from '../data/loader.js';
import type { Rng, RngState } from '../util/rng.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { GanModel } from './gan-model.js';
import { LrScheduler, type ScheduleOptions, type SchedulerState } from './scheduler.js';
import { networkPath, saveNetwork, readNetwork, TRAIN_OPTIONS_FILE } from '../models/checkpoint.js';
import { trainStatePath, saveTrainState, loadTrainState } from './checkpoint.js';
import { LossLog, saveVisuals, writeHtml } from './report.js';
import type { TrainProgress } from './options.js';

export interface TrainLoopOptions {
  name: string;
  checkpointsDir: string;
  schedule: ScheduleOptions;
  /** Stop after this many optimizer iterations in all (a quick run); the state is saved as 'latest'. */
  maxSteps?: number;
  /** Also keep EPOCH_net_*.safetensors every this many epochs. */
  saveEpochFreq: number;
  /** Resume from {continueFrom}_* checkpoints (reference --continue_train --epoch). */
  continueFrom?: string;
  /** Architecture configs by role, written into each network file. */
  configs: Record<string, Record<string, unknown>>;
  /** All options, saved as train_opt.json like the reference's train_opt.txt. */
  options: object;
  /** Random streams whose state must survive a resume (dropout masks, image pools). */
  rngs: Record<string, Rng>;
  /** Status lines (resume); default: none. */
  log?: (line: string) => void;
  /** Called after every iteration; default: nothing. */
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainResult { epoch: number; step: number; dir: string; lastLosses: Record<string, number> }

interface ResumeJson {
  epoch: number; step: number; loader: LoaderState; rngs: Record<string, RngState>; scheduler: SchedulerState;
  epochsDone: { epoch: number; files: string[] }[]; extra?: Record<string, unknown>;
}

/**
 * The training loop shared by pix2pix and CycleGAN (the reference's train.py): learning rate set at
 * the start of each epoch, one optimize() per batch, loss log, per-epoch samples and HTML page,
 * checkpoints every epoch ('latest') and every saveEpochFreq epochs, and exact resume.
 */
export async function trainLoop(model: GanModel, loader: DataLoader, o: TrainLoopOptions): Promise<TrainResult> {
  const log = o.log ?? (() => undefined);
  const dir = join(o.checkpointsDir, o.name);
  const webDir = join(dir, 'web');
  mkdirSync(join(webDir, 'images'), { recursive: true });
  await writeFileAtomic(join(dir, TRAIN_OPTIONS_FILE), JSON.stringify(o.options, null, 2) + '\n');
  const scheduler = new LrScheduler(o.schedule);
  const { epochCount, nEpochs, nEpochsDecay } = o.schedule;
  const lastEpoch = epochCount + nEpochs + nEpochsDecay - 1;

  let epoch = epochCount;
  let step = 0;
  let epochsDone: ResumeJson['epochsDone'] = [];
  if (o.continueFrom) {
    const label = o.continueFrom;
    for (const [role, net] of Object.entries(model.networks())) {
      const { tensors } = await readNetwork(networkPath(dir, label, role));
      net.loadStateDict(tensors, { source: networkPath(dir, label, role) });
    }
    const { json, tensors } = await loadTrainState(trainStatePath(dir, label), model.optimizers());
    const r = json as unknown as ResumeJson;
    ({ epoch, step, epochsDone } = r);
    loader.setState(r.loader);
    for (const [k, rng] of Object.entries(o.rngs)) rng.setState(r.rngs[k]);
    scheduler.state = r.scheduler;
    model.loadExtraState?.(r.extra ?? {}, tensors);
    log(`resumed ${dir} at epoch ${epoch}, step ${step}`);
  }
  const lossLog = new LossLog(join(dir, 'loss_log.jsonl'), o.continueFrom ? step : undefined);

  const save = async (label: string | number, epochForState: number) => {
    for (const [role, net] of Object.entries(model.networks())) {
      const kind = model.generatorRoles().includes(role) ? 'generator' as const : 'discriminator' as const;
      const meta = { format: 'img2img-network' as const, role, kind, config: o.configs[role], model: model.modelName, epoch: epochForState, step };
      await saveNetwork(networkPath(dir, label, role), net, meta);
    }
    const extra = model.extraState?.();
    const rngs = Object.fromEntries(Object.entries(o.rngs).map(([k, r]) => [k, r.getState()]));
    const json: ResumeJson = { epoch: epochForState, step, loader: loader.getState(), rngs, scheduler: scheduler.state, epochsDone, extra: extra?.json };
    const state = { json: json as unknown as Record<string, unknown>, optimizers: model.optimizers(), extraTensors: extra?.tensors };
    await saveTrainState(trainStatePath(dir, label), state);
  };

  const totalSteps = Math.min(o.maxSteps ?? Infinity, (lastEpoch - epochCount + 1) * loader.batchesPerEpoch);
  const startStep = step;
  let lastLosses: Record<string, number> = {};
  for (; epoch <= lastEpoch; epoch++) {
    const lr = scheduler.rateAt(epoch);
    model.setLearningRate(lr);
    let sum = 0;
    // Batches this epoch already ran (non-zero after a mid-epoch resume), so `iter` numbers on.
    let iter = Math.floor(loader.getState().cursor / loader.options.batchSize);
    for await (const batch of loader.epochBatches()) {
      lastLosses = await model.optimize(batch);
      step++;
      iter++;
      sum += Object.values(lastLosses).reduce((a, b) => a + b, 0);
      lossLog.add({ epoch, iter, step, lr, losses: lastLosses });
      o.onProgress?.({ step, totalSteps, startStep, epoch, losses: lastLosses });
      if (o.maxSteps !== undefined && step >= o.maxSteps) break;
    }
    const finished = loader.getState().cursor === 0;
    if (finished) {
      const files = await saveVisuals(webDir, epoch, model.visuals());
      epochsDone = [...epochsDone.filter((e) => e.epoch !== epoch), { epoch, files }];
      await writeHtml(webDir, `img2img ${model.modelName}: ${o.name}`, epochsDone);
      await lossLog.plot(join(dir, 'loss.png'), `${o.name} (${model.modelName})`);
      scheduler.observe(iter ? sum / iter : 0);
      const next = epoch + 1;
      await save('latest', next);
      if (epoch % o.saveEpochFreq === 0) await save(epoch, next);
    }
    if (o.maxSteps !== undefined && step >= o.maxSteps) {
      if (!finished) await save('latest', epoch);
      await lossLog.plot(join(dir, 'loss.png'), `${o.name} (${model.modelName})`);
      epoch = finished ? epoch + 1 : epoch;
      break;
    }
  }
  return { epoch, step, dir, lastLosses };
}
