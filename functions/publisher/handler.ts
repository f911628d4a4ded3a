import { createPublisher } from './app';
import { sideEffects } from './sideEffects';

export const handler = createPublisher(sideEffects());
