import {
  MODE_MIX_THRESHOLD,
  medianMix,
  mixDistance,
  modeMixFlags,
  modeShares,
} from '../../src/modules/indicators/mode-mix';

describe('mode mix', () => {
  it('turns counts into shares', () => {
    expect(modeShares({ online: 30, telephone: 10 })).toEqual({ online: 0.75, telephone: 0.25 });
    expect(modeShares({})).toEqual({});
  });

  it('measures the share of answers that would have to change mode (total variation distance)', () => {
    expect(mixDistance({ online: 1 }, { online: 1 })).toBe(0);
    expect(mixDistance({ online: 1 }, { telephone: 1 })).toBe(1);
    // |0.6 − 0.9| + |0.4 − 0.1| = 0.6, halved.
    expect(mixDistance({ online: 0.6, paper: 0.4 }, { online: 0.9, paper: 0.1 })).toBeCloseTo(0.3, 12);
  });

  it('takes per mode the median share, each organisation counting once, rescaled to 1', () => {
    // Medians: online 0.9, paper 0.1, telephone 0 → already total 1.
    const mix = medianMix([{ online: 1 }, { online: 0.9, paper: 0.1 }, { online: 0.5, paper: 0.5 }]);
    expect(mix.online).toBeCloseTo(0.9, 12);
    expect(mix.paper).toBeCloseTo(0.1, 12);
    // An even list: each mode's median is the mean of the middle two (0.25 each), rescaled to 1/3.
    const even = medianMix([
      { online: 1 },
      { paper: 1 },
      { telephone: 0.5, online: 0.5 },
      { paper: 0.5, telephone: 0.5 },
    ]);
    for (const m of ['online', 'paper', 'telephone'] as const) expect(even[m]).toBeCloseTo(1 / 3, 12);
    // No mode used by most: the mean mix.
    expect(medianMix([{ online: 1 }, { paper: 1 }, { telephone: 1 }])).toEqual({
      online: 1 / 3,
      paper: 1 / 3,
      telephone: 1 / 3,
    });
    expect(medianMix([{}])).toEqual({});
  });

  it('flags an organisation whose mix differs from the others’ mean beyond the threshold', () => {
    const mixes = [
      modeShares({ online: 100 }),
      modeShares({ online: 90, paper: 10 }),
      modeShares({ online: 95, paper: 5 }),
      modeShares({ telephone: 80, online: 20 }),
      {},
    ];
    const flags = modeMixFlags(mixes);
    // The telephone-led organisation: 0.8 of its answers in a mode its peers hardly use.
    expect(flags[3]).toBe(true);
    // Against the others' median mix, which the telephone one does not move, the online ones agree.
    expect(flags.slice(0, 3)).toEqual([false, false, false]);
    expect(flags[4]).toBeNull();
    expect(MODE_MIX_THRESHOLD).toBe(0.25);
  });

  it('has nothing to compare with when alone', () => {
    expect(modeMixFlags([{ online: 1 }])).toEqual([null]);
  });
});
