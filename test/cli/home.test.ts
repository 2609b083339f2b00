import { describe, expect, it } from 'vitest';
import { hostName, indexPath, tokenmeterHome } from '../../src/cli/home.js';

describe('where the index lives', () => {
  it('follows TOKENMETER_HOME, else XDG_DATA_HOME, else ~/.local/share', () => {
    expect(tokenmeterHome({ TOKENMETER_HOME: '/x/tm', XDG_DATA_HOME: '/x/data', HOME: '/h' })).toBe('/x/tm');
    expect(tokenmeterHome({ XDG_DATA_HOME: '/x/data', HOME: '/h' })).toBe('/x/data/tokenmeter');
    expect(tokenmeterHome({ HOME: '/h' })).toBe('/h/.local/share/tokenmeter');
    expect(indexPath({ HOME: '/h' })).toBe('/h/.local/share/tokenmeter/index.sqlite');
    expect(hostName({ TOKENMETER_HOST_NAME: 'LXC115' })).toBe('LXC115');
  });
});
