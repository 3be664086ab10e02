#!/usr/bin/env bash
# Prints a V2 infer request for the resnet18 demo: one synthetic 224x224 RGB image (a colour gradient), scaled to
# 0..1 and normalized with the ImageNet mean and standard deviation, in [1,3,224,224] (channel, row, column) order.
# For a real photo, resize it to 224x224 and apply the same normalization in your client.
#   samples/requests/resnet18-image.sh > /tmp/image.json
awk 'BEGIN {
  split("0.485 0.456 0.406", mean, " "); split("0.229 0.224 0.225", std, " ");
  printf "{\"inputs\":[{\"name\":\"Input247\",\"datatype\":\"FP32\",\"shape\":[1,3,224,224],\"data\":[";
  sep = "";
  for (c = 1; c <= 3; c++) for (y = 0; y < 224; y++) for (x = 0; x < 224; x++) {
    v = (c == 1 ? x : c == 2 ? y : (x + y) / 2) / 223;
    printf "%s%.4f", sep, (v - mean[c]) / std[c]; sep = ",";
  }
  print "]}]}";
}'
