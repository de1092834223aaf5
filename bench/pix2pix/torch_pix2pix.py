"""PyTorch side of bench/pix2pix: the reference pix2pix iteration (D step, then G step) and
inference, timed on the same machine. Reads a JSON list of cases on stdin, prints JSON."""
import json, os, resource, sys
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from torch_bench import bench, define_D, define_G  # noqa: E402


out = []
for case in json.load(sys.stdin):
    size, netG = case['size'], case['netG']
    G = define_G(3, 3, 64, netG, 'batch', True)
    D = define_D(6, 64, 'basic', 3, 'batch')
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()
    A = torch.rand(1, 3, size, size) * 2 - 1
    B = torch.rand(1, 3, size, size) * 2 - 1

    def step():
        fake = G(A)
        for p in D.parameters():
            p.requires_grad_(True)
        optD.zero_grad()
        pf = D(torch.cat([A, fake.detach()], 1))
        pr = D(torch.cat([A, B], 1))
        ld = 0.5 * (bce(pf, torch.zeros_like(pf)) + bce(pr, torch.ones_like(pr)))
        ld.backward()
        optD.step()
        for p in D.parameters():
            p.requires_grad_(False)
        optG.zero_grad()
        pf = D(torch.cat([A, fake], 1))
        lg = bce(pf, torch.ones_like(pf)) + 100 * l1(fake, B)
        lg.backward()
        optG.step()

    train = bench(step)
    train_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    G.eval()
    with torch.no_grad():
        infer = bench(lambda: G(A), min_seconds=2.0)
    out.append({'name': case['name'], 'train': train, 'infer': infer, 'trainRssMB': train_rss})
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(),
                  'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'results': out}))
