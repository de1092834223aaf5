"""PyTorch side of bench/cyclegan: the reference CycleGAN iteration (G step over G_A and G_B with
cycle and identity losses, then D_A and D_B steps), timed on the same machine. JSON on stdin/out."""
import itertools, json, os, resource, sys
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from torch_bench import bench, define_D, define_G  # noqa: E402

out = []
for case in json.load(sys.stdin):
    size = case['size']
    GA, GB = (define_G(3, 3, 64, 'resnet_9blocks', 'instance', False) for _ in range(2))
    DA, DB = (define_D(3, 64, 'basic', 3, 'instance') for _ in range(2))
    optG = torch.optim.Adam(itertools.chain(GA.parameters(), GB.parameters()), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(itertools.chain(DA.parameters(), DB.parameters()), lr=2e-4, betas=(0.5, 0.999))
    mse, l1 = nn.MSELoss(), nn.L1Loss()
    A = torch.rand(1, 3, size, size) * 2 - 1
    B = torch.rand(1, 3, size, size) * 2 - 1

    def gan(p, real):
        return mse(p, torch.ones_like(p) if real else torch.zeros_like(p))

    def step():
        fake_B = GA(A); rec_A = GB(fake_B); fake_A = GB(B); rec_B = GA(fake_A)
        for p in itertools.chain(DA.parameters(), DB.parameters()):
            p.requires_grad_(False)
        optG.zero_grad()
        loss = (l1(GA(B), B) * 5 + l1(GB(A), A) * 5 + gan(DA(fake_B), True) + gan(DB(fake_A), True)
                + l1(rec_A, A) * 10 + l1(rec_B, B) * 10)
        loss.backward(); optG.step()
        for p in itertools.chain(DA.parameters(), DB.parameters()):
            p.requires_grad_(True)
        optD.zero_grad()
        (0.5 * (gan(DA(B), True) + gan(DA(fake_B.detach()), False))).backward()
        (0.5 * (gan(DB(A), True) + gan(DB(fake_A.detach()), False))).backward()
        optD.step()

    out.append({'name': case['name'], 'train': bench(step)})
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(),
                  'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'results': out}))
