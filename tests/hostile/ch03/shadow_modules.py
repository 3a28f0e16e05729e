# Plants modules that would shadow numpy, json, PIL and the kit itself, and a .pth file, wherever
# it can write: the working folder, the first entry of sys.path, the temporary folder, the home
# folder, the kit's package folder and site-packages. The functions stay the answer key's.
import os
import site
import sys
import sysconfig
import tempfile

import autograder

_PLANT = "raise SystemExit('a planted module ran')\n"
_places = [os.getcwd(), sys.path[0] or os.getcwd(), tempfile.gettempdir(), os.path.expanduser("~"),
           os.path.dirname(autograder.__file__), os.path.dirname(os.path.dirname(autograder.__file__)),
           sysconfig.get_paths()["purelib"], *site.getsitepackages()]
for _place in dict.fromkeys(_places):
    for _name, _text in (("numpy.py", _PLANT), ("json.py", _PLANT), ("sitecustomize.py", _PLANT),
                         ("hostile_planted.pth", "import os; os._exit(7)\n")):
        try:
            with open(os.path.join(_place, _name), "x") as _handle:
                _handle.write(_text)
        except OSError:
            pass
    for _package in ("PIL", "autograder"):
        try:
            os.makedirs(os.path.join(_place, _package), exist_ok=False)
            with open(os.path.join(_place, _package, "__init__.py"), "w") as _handle:
                _handle.write(_PLANT)
        except OSError:
            pass
