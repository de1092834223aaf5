// The openly licensed photos that tools/examples/make-examples.ts derives examples/ from.
// Each comes from a Debian package (fetch them with tools/examples/fetch-sources.sh); the license
// of each is the one stated for that file in its package (debian/copyright, or the per-image
// metadata the package ships). Only sources whose terms allow redistributing modified crops are
// listed: CC BY 4.0 (attribution) and CC0 / public domain. The CC BY-SA and GFDL images of the same
// packages are deliberately left out, so no derived file carries share-alike or GFDL terms.

export type Group = 'A' | 'B';

export interface Source {
  /** Short stable id, used in ATTRIBUTION.md. */
  id: string;
  title: string;
  /** Debian package and the version whose bytes (sha256) the derivation expects. */
  pkg: string;
  pkgVersion: string;
  /** Path of the file inside the package. */
  path: string;
  sha256: string;
  author: string;
  /** Copyright line as the package states it (absent for public-domain works). */
  copyright?: string;
  license: string;
  licenseUrl: string;
  /** Where the package says the license is stated. */
  licenseWhere: string;
  /** The original's address, where the package gives one. */
  url?: string;
  /** Which unpaired (CycleGAN) domain this source feeds: A = colour photos, B = sepia-toned. */
  group: Group;
  /** Which pix2pix split this source's edges2photos pairs go to (splits never share a source). */
  split: 'train' | 'val' | 'test';
}

const LOMIRI = 'lomiri-wallpapers-16.04';
const LOMIRI_VER = '20.04.0-2';
const LOMIRI_URL = 'https://gitlab.com/ubports/development/core/lomiri-wallpapers';
const LOMIRI_WHERE = `/usr/share/doc/${LOMIRI}/copyright`;
const PALAPELI = 'palapeli-data';
const PALAPELI_VER = '4:22.12.3-1';
const SKIMAGE = 'python3-skimage';
const SKIMAGE_VER = '0.19.3-8';
const SKIMAGE_DATA = 'usr/lib/python3/dist-packages/skimage/data';
const SKIMAGE_WHERE = `skimage/data/_fetchers.py (docstring of skimage.data.%s)`;

const CC_BY_4 = 'CC BY 4.0';
const CC_BY_4_URL = 'https://creativecommons.org/licenses/by/4.0/';
const CC0 = 'CC0 1.0';
const CC0_URL = 'https://creativecommons.org/publicdomain/zero/1.0/';
const PD = 'Public domain';
const PD_URL = 'https://creativecommons.org/publicdomain/mark/1.0/';

export const SOURCES: readonly Source[] = [
  {
    id: 'aitzgorri', title: 'aitzgorri (autumn forest and mountain ridge)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg',
    sha256: '66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36',
    author: 'Aitzol Berasategi', copyright: 'Aitzol Berasategi, 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'A', split: 'train',
  },
  {
    id: 'picosdeeuropa', title: 'picosdeeuropa (mountain path and peaks)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg',
    sha256: '414d0072b2f6f2c555deafeaef6e45c4fed6fa9ad26eba6560ca8803959cf97a',
    author: 'Aitzol Berasategi', copyright: 'Aitzol Berasategi, 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'A', split: 'val',
  },
  {
    id: 'life', title: 'life (forest stream over rocks)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg',
    sha256: '4c119350ead80201fe256850c3d316309ddfb4bdf10b235ce982dcde0c667c05',
    author: 'Aitzol Berasategi', copyright: 'Aitzol Berasategi, 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'A', split: 'train',
  },
  {
    id: 'sunset', title: 'sunset (sun over hills, stone table)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg',
    sha256: '474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18',
    author: 'Aitzol Berasategi', copyright: 'Aitzol Berasategi, 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'B', split: 'test',
  },
  {
    id: 'friends', title: 'friends (two dogs at a wooden door)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg',
    sha256: 'cc40e313c74e421edffe3403def413c16878ce14661cce7ec5915baeab35538d',
    author: 'Aitzol Berasategi', copyright: 'Aitzol Berasategi, 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'B', split: 'train',
  },
  {
    id: 'picture0b', title: 'Picture 0B (fig in a red bowl)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/Picture_0B_by_freespace.jpg',
    sha256: 'c8c0ab18e48d9e0419fe42881112137f3afafc27dfddc29ec3a6d54c56d225ad',
    author: 'Trevor "Freespace"', copyright: 'Trevor "Freespace", 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'A', split: 'train',
  },
  {
    id: 'picture1a', title: 'Picture 1A (paint brushes)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/Picture_1A_by_freespace.jpg',
    sha256: '89e86af38d04daaef975665dc2127e9fa76f0fd68f4eea105a2d0ae3390b010b',
    author: 'Trevor "Freespace"', copyright: 'Trevor "Freespace", 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'B', split: 'train',
  },
  {
    id: 'wine', title: 'Wine (room with drum, table and wine bottle)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg',
    sha256: 'd2e96e6d4da40dd804b3d0ce295e94de04a2d7d9b6785d42cd9d92ba58bced74',
    author: 'Jakub Mede', copyright: 'Jakub Mede, 2018',
    license: CC_BY_4, licenseUrl: CC_BY_4_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'B', split: 'train',
  },
  {
    id: 'seeding', title: 'seeding (dandelion clocks in a meadow)',
    pkg: LOMIRI, pkgVersion: LOMIRI_VER, path: 'usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg',
    sha256: 'a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f',
    author: 'Clemens Engelhardt', copyright: 'Clemens Engelhardt, 2018',
    license: CC0, licenseUrl: CC0_URL, licenseWhere: LOMIRI_WHERE, url: LOMIRI_URL, group: 'A', split: 'train',
  },
  {
    id: 'cincinnati-bridge', title: 'Roebling Suspension Bridge, Cincinnati (at night)',
    pkg: PALAPELI, pkgVersion: PALAPELI_VER, path: 'usr/share/palapeli/collection/cincinnati-bridge.jpg',
    sha256: '09772d09318b34a5c5edd58ee86ff462bcd2907006f31cc8e0704310f8e9ab60',
    author: 'Derek Jensen',
    license: PD, licenseUrl: PD_URL, licenseWhere: '/usr/share/palapeli/collection/cincinnati-bridge.desktop (X-KDE-PluginInfo-License)',
    url: 'http://commons.wikimedia.org/wiki/Image:Cincinnati-roebling-suspension-bridge.jpg', group: 'B', split: 'train',
  },
  {
    id: 'citrus-fruits', title: 'Citrus Fruits (backlit slices)',
    pkg: PALAPELI, pkgVersion: PALAPELI_VER, path: 'usr/share/palapeli/collection/citrus-fruits.jpg',
    sha256: '0cbd7154a14789803167c86705130d0358875198231269df168ea26224e70848',
    author: 'US Department of Agriculture',
    license: PD, licenseUrl: PD_URL, licenseWhere: '/usr/share/palapeli/collection/citrus-fruits.desktop (X-KDE-PluginInfo-License)',
    url: 'http://commons.wikimedia.org/wiki/Image:Citrus_fruits.jpg', group: 'A', split: 'test',
  },
  {
    id: 'european-honey-bee', title: 'European Honey Bee (on an aster)',
    pkg: PALAPELI, pkgVersion: PALAPELI_VER, path: 'usr/share/palapeli/collection/european-honey-bee.jpg',
    sha256: '9d54ae706bddd899c91b2b801d9ca4556a5a9a399b4043f9d539df62a8cb7f27',
    author: 'John Severns',
    license: PD, licenseUrl: PD_URL, licenseWhere: '/usr/share/palapeli/collection/european-honey-bee.desktop (X-KDE-PluginInfo-License)',
    url: 'http://commons.wikimedia.org/wiki/Image:European_honey_bee_extracts_nectar.jpg', group: 'A', split: 'val',
  },
  {
    id: 'coffee', title: 'Coffee cup (skimage.data.coffee)',
    pkg: SKIMAGE, pkgVersion: SKIMAGE_VER, path: `${SKIMAGE_DATA}/coffee.png`,
    sha256: 'cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7',
    author: 'Rachel Michetti (courtesy of Pikolo Espresso Bar)',
    license: CC0, licenseUrl: CC0_URL, licenseWhere: SKIMAGE_WHERE.replace('%s', 'coffee'), group: 'A', split: 'train',
  },
  {
    id: 'chelsea', title: 'Chelsea the cat (skimage.data.chelsea)',
    pkg: SKIMAGE, pkgVersion: SKIMAGE_VER, path: `${SKIMAGE_DATA}/chelsea.png`,
    sha256: '596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb',
    author: 'Stefan van der Walt',
    license: CC0, licenseUrl: CC0_URL, licenseWhere: SKIMAGE_WHERE.replace('%s', 'chelsea'), group: 'B', split: 'test',
  },
  {
    id: 'rocket', title: 'Launch of DSCOVR on Falcon 9 (skimage.data.rocket)',
    pkg: SKIMAGE, pkgVersion: SKIMAGE_VER, path: `${SKIMAGE_DATA}/rocket.jpg`,
    sha256: 'c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c',
    author: 'SpaceX',
    license: PD, licenseUrl: PD_URL, licenseWhere: SKIMAGE_WHERE.replace('%s', 'rocket'),
    url: 'https://www.flickr.com/photos/spacexphotos/16511594820/', group: 'B', split: 'train',
  },
];
