import sys

from qbo_devkit.bench.run import main

if __name__ == "__main__":  # the fleet's warm-up spawns processes that import this module
    sys.exit(main())
