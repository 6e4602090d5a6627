/**
 * The analysis result: plain JSON (numbers, strings, arrays, no typed arrays or dates), so it can be stored
 * as a document and sent over the API as it is.
 *
 * Every measurement is either `{ measurable: true, ... }` or `{ measurable: false, reason }`: silence, a
 * 2-second file or an algorithm failure give a reason, never an invented value (Essentia itself answers
 * 738 BPM and "A minor" for silence).
 */

export type NotMeasurable = { measurable: false; reason: string };
export type Measured<T> = ({ measurable: true } & T) | NotMeasurable;

export type Scale = 'major' | 'minor';

export interface BpmAlternative {
  /** The other octave's tempo. */
  bpm: number;
  relation: 'half' | 'double';
  /** 0..1: how strongly the audio supports it (events between the beats for double, weak alternate beats for half). */
  plausibility: number;
}

export interface BpmMeasurement {
  /** Primary tempo, refined by a line fit through the beat times (two decimals). */
  bpm: number;
  /** 0..1: grid fit, pulse clarity and agreement between windows (see README). */
  confidence: number;
  /** The half or double tempo when it is plausible for this audio; absent when it is not. */
  alternative?: BpmAlternative;
  /** Why the primary octave was chosen (one sentence, for the UI tooltip). */
  octaveReason: string;
  /** 0..1 evidence that the real pulse is twice the tracked one (onset density, kicks/snares between beats). */
  doubleTimeScore: number;
  /** Mean tempo of Essentia's beats before the line fit and the octave choice (maybe halved). */
  trackerBpm: number;
  /** Lowest and highest window tempo (after octave alignment): a wide span means tempo changes. */
  windowRange: [number, number];
  method: string;
}

export interface BeatSummary {
  /** Time of the first beat (s), extrapolated back along the grid to where the music starts. */
  firstBeatSec: number;
  /** First beat of a bar (heuristic: strongest bass/onset accent among the four beat phases). */
  firstDownbeatSec: number;
  /** 0..1: how clearly one of the four phases stands out; below ~0.15 the downbeat is a guess. */
  downbeatConfidence: number;
  beatCount: number;
  /** Spread of the inter-beat intervals and of the beats around the fitted grid. */
  grid: {
    /** Standard deviation of inter-beat intervals / their mean. */
    ibiCv: number;
    ibiStdMs: number;
    /** RMS distance of beats from the straight-line grid (ms): small for programmed music. */
    fitResidualMs: number;
    /** steady: a fixed grid fits (quantised/electronic); variable: tempo drifts (live playing); unstable: no consistent grid. */
    stability: 'steady' | 'variable' | 'unstable';
  };
}

export interface KeyMeasurement {
  tonic: string;
  scale: Scale;
  /** "F# minor" */
  name: string;
  /** "F#m" */
  short: string;
  /** "11A" */
  camelot: string;
  /** "4m" */
  openKey: string;
  /** Essentia's key strength (correlation with the profile, 0..1) averaged over the windows that voted for this key. */
  strength: number;
  /** Fraction of the analysed (non-silent) time whose window found this key. */
  agreement: number;
  profile: string;
}

export interface LoudnessMeasurement {
  integratedLufs: number;
  /** Loudness range (LU); null for very short files. */
  rangeLu: number | null;
  /** Highest sample (dBFS) of the original channels; not the oversampled true peak. */
  samplePeakDbfs: number | null;
}

export interface EnergyRating {
  /** 1 (ambient, quiet) … 10 (peak-time, loud, dense, bright). */
  rating: number;
  /** The unrounded score 0..1 behind the rating. */
  score: number;
  /** Each component 0..1 and its raw value, so the rating can be explained. */
  components: {
    loudness: { value: number; raw: number; unit: 'LUFS' };
    brightness: { value: number; raw: number; unit: 'Hz' };
    onsetDensity: { value: number; raw: number; unit: 'onsets/s' };
    beatStrength: { value: number; raw: number; unit: 'ratio' };
  };
}

export type CueKind = 'intro-end' | 'breakdown' | 'drop' | 'outro-start';

export interface Cue {
  kind: CueKind;
  /** Seconds from the start; snapped to the nearest downbeat when a steady beat grid exists. */
  timeSec: number;
  /** Energy (0..1, relative to this file) just after the cue. */
  energy: number;
}

export interface Section {
  kind: 'intro' | 'body' | 'breakdown' | 'outro';
  startSec: number;
  endSec: number;
  /** Mean relative energy 0..1 in the section. */
  energy: number;
}

export interface Outline {
  sections: Section[];
  cues: Cue[];
  /** Relative energy over time (0..1), one value per `hopSec`, at most ~720 values. */
  curve: { hopSec: number; values: number[] };
}

export interface TimelineWindow {
  startSec: number;
  endSec: number;
  silent: boolean;
  bpm: number | null;
  key: { name: string; camelot: string; strength: number } | null;
  /** Relative energy 0..1 (this file's scale). */
  energy: number;
  loudnessDbfs: number | null;
  /** Set when this window could not be analysed (its thread failed or overran); the rest of the file still was. */
  error?: string;
}

export interface MixSummary {
  /** Median of the window tempos (non-silent windows with a tempo). */
  medianBpm: number | null;
  bpmRange: [number, number] | null;
  /** The key whose windows cover the most time. */
  dominantKey: { name: string; camelot: string; openKey: string; coverage: number } | null;
  /** Time covered per Camelot code, largest first. */
  keyCoverage: { camelot: string; name: string; seconds: number }[];
}

export interface TagComparison {
  bpm?: {
    tag: number | string;
    measured: number | null;
    /** match: within 4 %; octave: the tag is half/double the measurement (within 4 %); disagree: neither; unreadable. */
    verdict: 'match' | 'octave' | 'disagree' | 'unreadable' | 'not-measured';
    differencePercent: number | null;
  };
  key?: {
    tag: string;
    tagCamelot: string | null;
    measuredCamelot: string | null;
    verdict: 'match' | 'relative' | 'fifth' | 'parallel' | 'disagree' | 'unreadable' | 'not-measured';
  };
  /** True when the BPM disagrees beyond 4 % and not by an octave, or the key differs in any way. */
  disagreement: boolean;
}

export interface AnalysisResult {
  /** Bumped when results would change, so stored results can be recomputed. */
  analysisVersion: number;
  file: { durationSec: number; codec: string; sampleRate: number; channels: number };
  /** Seconds of audio actually analysed. */
  analysedSec: number;
  kind: 'track' | 'mix';
  /** The whole file is below the silence threshold. */
  silent: boolean;
  bpm: Measured<BpmMeasurement>;
  beats: Measured<BeatSummary>;
  key: Measured<KeyMeasurement>;
  loudness: Measured<LoudnessMeasurement>;
  /** Essentia Danceability (detrended fluctuation analysis), roughly 0..3; higher is more danceable. */
  danceability: Measured<{ value: number }>;
  energy: Measured<EnergyRating>;
  outline: Measured<Outline>;
  /** One entry per analysis window (~30 s): the BPM and key over time. */
  timeline: TimelineWindow[];
  /** For mixes: median tempo and the key covering most time. */
  mix?: MixSummary;
  /** Present when tags were given: both values are kept, the verdict says whether they agree. */
  tags?: TagComparison;
  warnings: string[];
  timing: { wallMs: number; windows: number; realtimeFactor: number };
}

export interface AnalysisProgress {
  analysedSec: number;
  durationSec: number | null;
  /** 0..1 when the duration is known. */
  fraction: number | null;
}
