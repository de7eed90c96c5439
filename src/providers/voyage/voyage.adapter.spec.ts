import { voyageRoot } from './voyage.adapter.js';

describe('Voyage api_base forms', () => {
  it.each([
    ['https://api.voyageai.com/v1', 'https://api.voyageai.com/v1'],
    ['https://api.voyageai.com', 'https://api.voyageai.com/v1'],
    ['https://api.voyageai.com/v1/embeddings', 'https://api.voyageai.com/v1'],
    ['https://proxy.example.com/voyage/v1/', 'https://proxy.example.com/voyage/v1'],
  ])('%s → %s', (base, root) => {
    expect(voyageRoot(base)).toBe(root);
  });
});
