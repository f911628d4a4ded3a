import { createCalendarApi } from './app';
import { sideEffects } from './sideEffects';

export const handler = createCalendarApi(sideEffects());
