import * as path from 'node:path';

const dir = path.join(__dirname, '..', 'fixtures');

/** Library recordings used by the tests (ids are the track ids they are indexed under). */
export const LIBRARY = [
  { id: 1, title: 'Lets Go Fishin', file: path.join(dir, 'Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg'), durationSec: 133 },
  {
    id: 2,
    title: 'Sugar Plum Fairy',
    file: path.join(dir, 'Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.hq.ogg'),
    durationSec: 120,
  },
  { id: 3, title: 'Vibe Ace', file: path.join(dir, 'Kevin_MacLeod_-_Vibe_Ace.hq.ogg'), durationSec: 61 },
] as const;

/** Real music that is never indexed. */
export const OUTSIDE_LIBRARY = path.join(
  dir,
  'Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).hq.ogg',
);
