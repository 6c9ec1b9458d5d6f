import { expect, test } from "vitest";
import { opticsFromFlags } from "../../src/cli/common.js";
import { InvalidArgumentError } from "../../src/core/errors.js";

test("optics flags: medium names or indices, the older spellings as aliases, only given fields", () => {
  expect(opticsFromFlags({})).toEqual({});
  expect(opticsFromFlags({ modality: "confocal", na: "1.4", immersion: "oil", emission: "520", excitation: "488" })).toEqual({
    modality: "confocal",
    na: 1.4,
    immersionIndex: 1.518,
    emissionWavelengthNm: 520,
    excitationWavelengthNm: 488,
  });
  expect(opticsFromFlags({ "immersion-index": "1.33", wavelength: "600" })).toEqual({ immersionIndex: 1.33, emissionWavelengthNm: 600 });
  expect(opticsFromFlags({ "emission-nm": "680" })).toEqual({ emissionWavelengthNm: 680 });
});

test("optics flags: bad values name the flag and say what to pass", () => {
  expect(() => opticsFromFlags({ modality: "sted" })).toThrow(InvalidArgumentError);
  expect(() => opticsFromFlags({ modality: "sted" })).toThrow(/--modality "sted" is unknown/);
  expect(() => opticsFromFlags({ na: "-1" })).toThrow(/--na is "-1"; expected a positive number/);
  expect(() => opticsFromFlags({ wavelength: "green" })).toThrow(/--wavelength is "green"/);
  expect(() => opticsFromFlags({ immersion: "honey" })).toThrow(InvalidArgumentError);
});
