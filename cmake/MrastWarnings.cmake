# mrast_set_warnings(target): warnings are PRIVATE per target, so users of
# mrast::kernels never inherit them.
function(mrast_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>)
  if(MRAST_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
  # Debug: UBSan and libstdc++ bounds checks.
  target_compile_options(${target} PRIVATE
    $<$<AND:$<CONFIG:Debug>,$<COMPILE_LANGUAGE:CXX>>:-fsanitize=undefined -D_GLIBCXX_ASSERTIONS>)
  # PUBLIC: a static library's users must link the sanitizer runtime too.
  target_link_options(${target} PUBLIC $<$<CONFIG:Debug>:-fsanitize=undefined>)
endfunction()
