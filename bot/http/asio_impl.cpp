// Asio compiled once (separate compilation), with its SSL part.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
