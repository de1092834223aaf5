"""PyTorch side of bench/pix2pix: the reference pix2pix iteration (D step, then G step) and
inference, timed on the same machine. Reads a JSON list of cases on stdin, prints JSON."""
import json, os, resource, sys, time
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools', 'fixtures'))
from networks import define_G, define_D  # the reference architectures, re-typed

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)


def bench(fn, min_seconds=3.0, warmup=1):
    for _ in range(warmup):
        fn()
    reps, t0 = 0, time.perf_counter()
    while reps < 2 or time.perf_counter() - t0 < min_seconds:
        fn(); reps += 1
    return (time.perf_counter() - t0) / reps


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
    G.eval()
    with torch.no_grad():
        infer = bench(lambda: G(A), min_seconds=2.0)
    out.append({'name': case['name'], 'train': train, 'infer': infer})
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(),
                  'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'results': out}))
