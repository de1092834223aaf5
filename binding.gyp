{
  "targets": [
    {
      "target_name": "img2img_kernels",
      "sources": ["native/adam.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}
