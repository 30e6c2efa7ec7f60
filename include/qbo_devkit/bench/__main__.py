import sys

from qbo_devkit.bench.run import main

sys.exit(main())
