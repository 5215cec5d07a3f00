// File names shared by the worker and the trainer (kept apart from worker.ts so importing them starts nothing).
export const OPTIMIZER_FILE = 'optimizer.safetensors';
