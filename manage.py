#!/usr/bin/env python
from consortium.__main__ import main

if __name__ == "__main__":
    main()
