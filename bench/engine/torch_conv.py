"""PyTorch side of bench/engine: forward+backward time of each unet_256 conv layer. Prints JSON."""
import json, sys, time
import torch
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
shapes = json.load(sys.stdin)
out = []
for s in shapes:
    x = torch.randn(1, s["cin"], s["h"], s["h"], requires_grad=True)
    if s["kind"] == "conv":
        w = torch.randn(s["cout"], s["cin"], 4, 4, requires_grad=True)
        f = lambda: F.conv2d(x, w, stride=2, padding=1)
    else:
        w = torch.randn(s["cin"], s["cout"], 4, 4, requires_grad=True)
        f = lambda: F.conv_transpose2d(x, w, stride=2, padding=1)
    gy = torch.randn_like(f())
    def step():
        y = f()
        y.backward(gy)
    for _ in range(2):
        step()
    reps, t0 = 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - t0 < 0.5:
        step(); reps += 1
    out.append({"name": s["name"], "seconds": (time.perf_counter() - t0) / reps})
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": out}))
