# MRAST_TEST_PYTHON: the Python that the end-to-end tests run with. They need
# GDAL's bindings and numpy; the first python3 on PATH (pyenv, a venv) often
# lacks them while the system one has them, so take the first that imports
# both.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
if(NOT MRAST_TEST_PYTHON)
  set(_mrast_python ${Python3_EXECUTABLE})
  foreach(py /usr/bin/python3 ${Python3_EXECUTABLE})
    execute_process(COMMAND ${py} -c "import numpy; from osgeo import gdal"
      RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
    if(_rc EQUAL 0)
      set(_mrast_python ${py})
      break()
    endif()
  endforeach()
  set(MRAST_TEST_PYTHON ${_mrast_python} CACHE FILEPATH "Python with osgeo + numpy for the tests")
endif()
