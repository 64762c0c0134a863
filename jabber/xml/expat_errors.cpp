// expat's errors mapped to RFC 6120 stream error conditions.
#include "jabber/xml/expat_errors.hpp"

namespace posta::jabber::xml {

proto::stream_condition condition_for(XML_Error error) {
  using c = proto::stream_condition;
  switch (error) {
    case XML_ERROR_NO_MEMORY:
      return c::resource_constraint;
    case XML_ERROR_UNKNOWN_ENCODING:
    case XML_ERROR_INCORRECT_ENCODING:
      return c::unsupported_encoding;
    // RFC 6120 section 11.1: no entity references beyond the five predefined
    // ones (with no DTD, every other one is undefined).
    case XML_ERROR_UNDEFINED_ENTITY:
    case XML_ERROR_PARAM_ENTITY_REF:
    case XML_ERROR_RECURSIVE_ENTITY_REF:
    case XML_ERROR_ASYNC_ENTITY:
    case XML_ERROR_BINARY_ENTITY_REF:
    case XML_ERROR_ATTRIBUTE_EXTERNAL_ENTITY_REF:
    case XML_ERROR_EXTERNAL_ENTITY_HANDLING:
    case XML_ERROR_ENTITY_DECLARED_IN_PE:
    case XML_ERROR_NOT_STANDALONE:
    case XML_ERROR_AMPLIFICATION_LIMIT_BREACH:
      return c::restricted_xml;
    default:
      return c::not_well_formed;
  }
}

}  // namespace posta::jabber::xml
