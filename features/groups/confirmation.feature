Feature: Purchase confirmation and settlement
  When a buyer has received the goods they confirm the purchase (구매확정). Once every member
  of a group has confirmed, the group is ready for settlement with the seller, and it can no
  longer expire.

  Background:
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And Minji paid for "제주 감귤 5kg" with KakaoPay
    And Jisoo paid for "제주 감귤 5kg" with KakaoPay
    And the matcher formed group 7 of Minji and Jisoo

  Scenario: A buyer confirms the purchase
    When Minji confirms the purchase
    Then Minji is told the order is confirmed
    And Minji's order is confirmed
    And Jisoo's order is still matched
    And group 7 is not ready for settlement with 2 members

  Scenario: When every member has confirmed, the group is ready for settlement
    Given group 7 is not ready for settlement with 2 members
    When Minji confirms the purchase
    And Jisoo confirms the purchase
    Then the orders of Minji and Jisoo are confirmed
    And group 7 is ready for settlement with 2 members
    And group 7 is not ready for settlement with 3 members

  Scenario: A group ready for settlement cannot expire
    Given Minji and Jisoo confirmed their purchases
    When group 7 expires
    Then the expiry is refused
    And the orders of Minji and Jisoo are still confirmed
    And KakaoPay refunded nothing to Minji
    And KakaoPay refunded nothing to Jisoo
    And group 7 is ready for settlement with 2 members

  Scenario: An order that is in no group cannot be confirmed
    Given Hyun paid for "제주 감귤 5kg" with KakaoPay
    When Hyun confirms the purchase
    Then the confirmation is refused
    And Hyun's order is still paid
