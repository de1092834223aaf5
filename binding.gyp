{
  "targets": [
    {
      "target_name": "img2img_kernels",
      "sources": ["native/adam.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    },
    {
      "target_name": "img2img_ort",
      "sources": ["native/ort.cc"],
      "cflags_cc": ["-O2", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldl"]
    }
  ]
}
