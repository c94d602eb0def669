"""PyTorch CPU speed for the same EfficientNet-Lite0 forward the Swift backbone
runs (the functional forward of make_backbone_golden.py, to stage 4 and to
stage 6), 16 random 3×256×256 images, batch 16, torch threads = 2.

    python3 scripts/detectors/bench_torch_backbone.py
"""
import os, time
import torch

torch.set_num_threads(2)
here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, "make_backbone_golden.py")).read()
src = src[:src.index("g = torch.Generator()")]
ns = {"__file__": os.path.join(here, "make_backbone_golden.py")}
exec(src, ns)
x = torch.randn(16, 3, 256, 256)
with torch.no_grad():
    ns["forward"](x[:2])
    for label in ["all stages"]:
        t = time.perf_counter()
        ns["forward"](x)
        dt = time.perf_counter() - t
        print("BENCH torch %s EfficientNet-Lite0 forward 256x256 %s: %.1f images/s" % (torch.__version__, label, 16 / dt))
