# cmake -DPROGRAM=<exe> -DNAME=<name> -DDESCRIPTION=<text> -DCOMMANDS=<a,b+c> -DINCLUDE=<file.h2m>
#       -DOUTPUT=<name.1.gz> -DWORK=<dir> -P ManPage.cmake
# A man page from the program's own --help and --version (help2man), with each subcommand's
# --help as a section of its own and the text of INCLUDE (environment, exit codes, files), gzipped
# as Debian ships man pages.
find_program(HELP2MAN help2man REQUIRED)
find_program(GZIP gzip REQUIRED)
set(sections "${WORK}/${NAME}.h2m")
file(READ "${INCLUDE}" extra)
set(text "")
string(REPLACE "," ";" COMMANDS "${COMMANDS}")  # "lab+up" is the command "lab up"
if(COMMANDS)
  string(APPEND text "[COMMANDS]\n")
  foreach(command IN LISTS COMMANDS)
    string(REPLACE "+" " " words "${command}")
    separate_arguments(argv UNIX_COMMAND "${words}")
    execute_process(COMMAND ${PROGRAM} ${argv} --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "${PROGRAM} ${words} --help failed (${status})")
    endif()
    # The program's path in its usage line would differ from build to build.
    string(REGEX REPLACE "Usage: [^ ]*/" "Usage: " help "${help}")
    string(REPLACE "\\" "\\\\" help "${help}")
    string(APPEND text ".SS \"${NAME} ${words}\"\n.nf\n${help}.fi\n")
  endforeach()
endif()
file(WRITE "${sections}" "${text}${extra}")
execute_process(
  COMMAND ${HELP2MAN} --no-info --no-discard-stderr --name=${DESCRIPTION} --include=${sections}
          --output=${WORK}/${NAME}.1 ${PROGRAM}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "help2man failed for ${PROGRAM}")
endif()
# help2man names the program by the path it ran; the page is for the installed name.
file(READ "${WORK}/${NAME}.1" page)
string(REGEX REPLACE "Usage: [^ \n]*/${NAME}" "Usage: ${NAME}" page "${page}")
string(REGEX REPLACE "usage: [^ \n]*/${NAME}" "usage: ${NAME}" page "${page}")
file(WRITE "${WORK}/${NAME}.1" "${page}")
execute_process(COMMAND ${GZIP} -9nf ${WORK}/${NAME}.1 RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "gzip failed for ${WORK}/${NAME}.1")
endif()
file(RENAME "${WORK}/${NAME}.1.gz" "${OUTPUT}")
