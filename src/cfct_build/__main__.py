import sys

from cfct_build.cli import main

sys.exit(main())
