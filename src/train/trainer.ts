import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../data/errors.js';
import type { DataLoader, LoaderState } from '../data/loader.js';
import type { Rng, RngState } from '../util/rng.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { GanModel } from './gan-model.js';
import { LrScheduler, type ScheduleOptions, type SchedulerState } from './scheduler.js';
import { networkPath, encodeNetwork, readNetwork, TRAIN_OPTIONS_FILE } from '../models/checkpoint.js';
import { trainStatePath, encodeTrainState, loadTrainState } from './checkpoint.js';
import { checkpointManifestPath, recoverCheckpointSet, removeStaleTemps, saveCheckpointSet, verifyCheckpointSet } from './checkpoint-set.js';
import { crashPoint } from '../util/crash-points.js';
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
  /** Start over in a folder that holds a run (its checkpoints, loss log and pages are deleted first); default: refuse. */
  overwrite?: boolean;
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
  if (!o.continueFrom) startOver(dir, !!o.overwrite);
  mkdirSync(join(webDir, 'images'), { recursive: true });
  removeStaleTemps(dir);
  for (const label of interruptedLabels(dir)) recoverCheckpointSet(dir, label);
  const scheduler = new LrScheduler(o.schedule);
  const { epochCount, nEpochs, nEpochsDecay } = o.schedule;
  const lastEpoch = epochCount + nEpochs + nEpochsDecay - 1;

  let epoch = epochCount;
  let step = 0;
  let epochsDone: ResumeJson['epochsDone'] = [];
  if (o.continueFrom) {
    const label = o.continueFrom;
    // Every file of the set must come from the same save: the manifest's step (or, for runs saved
    // before manifests, one step shared by all files).
    const manifest = recoverCheckpointSet(dir, label);
    if (manifest) verifyCheckpointSet(dir, manifest);
    const steps: [string, number][] = [];
    for (const [role, net] of Object.entries(model.networks())) {
      const { tensors, meta } = await readNetwork(networkPath(dir, label, role));
      steps.push([networkPath(dir, label, role), meta.step]);
      net.loadStateDict(tensors, { source: networkPath(dir, label, role) });
    }
    const { json, tensors } = await loadTrainState(trainStatePath(dir, label), model.optimizers());
    const r = json as unknown as ResumeJson;
    steps.push([trainStatePath(dir, label), r.step]);
    const want = manifest?.step ?? r.step;
    const odd = steps.filter(([, s]) => s !== want);
    if (odd.length) {
      throw new DataError(`cannot resume ${dir} from '${label}': its files come from different saves `
        + `(${steps.map(([f, s]) => `${f} step ${s}`).join(', ')}${manifest ? `; ${checkpointManifestPath(dir, label)} says step ${manifest.step}` : ''})`);
    }
    ({ epoch, step, epochsDone } = r);
    loader.setState(r.loader);
    for (const [k, rng] of Object.entries(o.rngs)) rng.setState(r.rngs[k]);
    scheduler.state = r.scheduler;
    model.loadExtraState?.(r.extra ?? {}, tensors);
    log(`resumed ${dir} at epoch ${epoch}, step ${step}`);
  }
  await writeFileAtomic(join(dir, TRAIN_OPTIONS_FILE), JSON.stringify(o.options, null, 2) + '\n');
  const lossLog = new LossLog(join(dir, 'loss_log.jsonl'), o.continueFrom ? step : undefined);

  // One checkpoint is one set: networks and training state change together or not at all.
  const save = async (label: string | number, epochForState: number) => {
    const files: { name: string; bytes: Uint8Array }[] = [];
    for (const [role, net] of Object.entries(model.networks())) {
      const kind = model.generatorRoles().includes(role) ? 'generator' as const : 'discriminator' as const;
      const meta = { format: 'img2img-network' as const, role, kind, config: o.configs[role], model: model.modelName, epoch: epochForState, step };
      files.push({ name: basename(networkPath(dir, label, role)), bytes: encodeNetwork(net, meta) });
    }
    const extra = model.extraState?.();
    const rngs = Object.fromEntries(Object.entries(o.rngs).map(([k, r]) => [k, r.getState()]));
    const json: ResumeJson = { epoch: epochForState, step, loader: loader.getState(), rngs, scheduler: scheduler.state, epochsDone, extra: extra?.json };
    const state = { json: json as unknown as Record<string, unknown>, optimizers: model.optimizers(), extraTensors: extra?.tensors };
    files.push({ name: basename(trainStatePath(dir, label)), bytes: encodeTrainState(state) });
    await saveCheckpointSet(dir, label, step, epochForState, files);
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
      crashPoint(`step ${step}`);
      o.onProgress?.({ step, totalSteps, startStep, epoch, losses: lastLosses });
      if (o.maxSteps !== undefined && step >= o.maxSteps) break;
    }
    const finished = loader.getState().cursor === 0;
    if (finished && iter === 0) {
      const root = (o.options as { dataroot?: string }).dataroot;
      throw new DataError(`no readable images${root ? ` in ${root}` : ''}: every image was skipped in epoch ${epoch} (the warnings name each file and why)`);
    }
    if (finished) {
      const files = await saveVisuals(webDir, epoch, model.visuals());
      epochsDone = [...epochsDone.filter((e) => e.epoch !== epoch), { epoch, files }];
      await writeHtml(webDir, `img2img ${model.modelName}: ${o.name}`, epochsDone);
      await lossLog.plot(join(dir, 'loss.png'), `${o.name} (${model.modelName})`);
      scheduler.observe(iter ? sum / iter : 0);
      const next = epoch + 1;
      // The epoch's own checkpoint first: 'latest' is what a resume starts from, so once it is
      // committed every file of this epoch is (a kill in between redoes the epoch and both saves).
      if (epoch % o.saveEpochFreq === 0) await save(epoch, next);
      await save('latest', next);
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

/** What a run writes into its folder (startOver deletes these and nothing else). */
const RUN_FILE = /^(.+_net_.+\.safetensors|.+_train_state\.safetensors|.+_checkpoint\.json|loss_log\.jsonl|loss\.png|train_opt\.json|\..+\.(next|tmp))$/;

/**
 * A fresh run in `dir`: refused when the folder holds a run (its loss log used to be wiped at
 * once), unless `overwrite`, which deletes that run's files (checkpoints, loss log and curve,
 * options, web pages) first.
 */
function startOver(dir: string, overwrite: boolean): void {
  if (!existsSync(dir)) return;
  const ours = readdirSync(dir).filter((e) => RUN_FILE.test(e));
  const hasRun = ours.some((e) => e !== TRAIN_OPTIONS_FILE && !e.startsWith('.'));
  if (hasRun && !overwrite) {
    throw new DataError(`${dir} already holds a training run (${ours.filter((e) => !e.startsWith('.')).slice(0, 3).join(', ')}, ...); `
      + 'pass --continue-train (continueTrain) to resume it, or --overwrite (overwrite) to delete it and start over');
  }
  for (const e of ours) rmSync(join(dir, e), { force: true });
  rmSync(join(dir, 'web'), { recursive: true, force: true });
}

/** Labels with a manifest or with staged files of an interrupted save. */
function interruptedLabels(dir: string): string[] {
  const labels = new Set<string>();
  for (const e of readdirSync(dir)) {
    const m = /^(.+)_checkpoint\.json$/.exec(e) ?? /^\.(.+?)_(?:net_.+|train_state)\.safetensors\.\d+\.next$/.exec(e);
    if (m) labels.add(m[1]);
  }
  return [...labels];
}
