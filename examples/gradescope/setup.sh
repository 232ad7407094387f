#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
apt-get install -y python3 python3-pip
pip3 install gradviz
