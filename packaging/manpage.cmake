# Writes a gzipped section-1 man page for one executable from its own --help text, so the page never
# drifts from the options. Run at install time (packaging/CMakeLists.txt):
#   cmake -DEXE=<binary> -DNAME=<name> -DSUMMARY=<one line> -DVERSION=<x.y.z> -DOUT=<file.1.gz> -P manpage.cmake
foreach(var EXE NAME SUMMARY VERSION OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "manpage.cmake: -D${var}=... is missing")
  endif()
endforeach()

# The studio's --help needs no display: Qt's offscreen platform is enough.
execute_process(COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen "${EXE}" --help
                OUTPUT_VARIABLE help RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR help STREQUAL "")
  message(FATAL_ERROR "manpage.cmake: '${EXE} --help' failed (exit ${rc}); cannot write the man page of ${NAME}")
endif()

# Escape for roff: backslashes first, then minus signs, then lines that would read as requests.
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
if(NOT help MATCHES "\n$")
  string(APPEND help "\n")
endif()
string(TOUPPER "${NAME}" upper)
string(REPLACE "-" "\\-" summary "${SUMMARY}")

set(page ".TH ${upper} 1 \"\" \"GearStudio ${VERSION}\" \"User Commands\"
.SH NAME
${NAME} \\- ${summary}
.SH DESCRIPTION
The text below is the output of \\fB${NAME} \\-\\-help\\fR.
.PP
.nf
${help}.fi
.SH SEE ALSO
.BR gearstudio (1),
.BR gearatc (1),
.BR gearbench (1)
")
get_filename_component(outDir "${OUT}" DIRECTORY)
file(MAKE_DIRECTORY "${outDir}")
string(REGEX REPLACE "\\.gz$" "" plain "${OUT}")
file(WRITE "${plain}" "${page}")
# -n: no name or time stamp in the gzip header, so the package is reproducible.
execute_process(COMMAND gzip -9nf "${plain}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "manpage.cmake: gzip failed on ${plain}")
endif()
